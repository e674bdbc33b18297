#include "crossover_detector.hpp"

namespace mercurio::strategies::moving_average {

std::string_view to_string(Cross cross) noexcept {
  switch (cross) {
    case Cross::None: return "none";
    case Cross::Up: return "golden cross";
    case Cross::Down: return "death cross";
  }
  return "?";
}

Cross CrossoverDetector::update(Relation relation) noexcept {
  if (relation == Relation::Equal) return Cross::None;  // a tie keeps the previous side
  const std::optional<Relation> previous = last_side_;
  last_side_ = relation;
  if (!previous || *previous == relation) return Cross::None;
  return relation == Relation::Above ? Cross::Up : Cross::Down;
}

}  // namespace mercurio::strategies::moving_average
