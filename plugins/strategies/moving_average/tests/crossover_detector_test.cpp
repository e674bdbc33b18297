#include "crossover_detector.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace mercurio::strategies::moving_average;

namespace {
constexpr Relation B = Relation::Below;
constexpr Relation E = Relation::Equal;
constexpr Relation A = Relation::Above;

std::vector<Cross> run(std::initializer_list<Relation> relations) {
  CrossoverDetector detector;
  std::vector<Cross> out;
  for (Relation r : relations) out.push_back(detector.update(r));
  return out;
}
}  // namespace

TEST(CrossoverDetectorTest, FirstDefinedBarIsNeverACross) {
  EXPECT_EQ(run({A}), std::vector<Cross>({Cross::None}));
  EXPECT_EQ(run({B}), std::vector<Cross>({Cross::None}));
}

TEST(CrossoverDetectorTest, BelowThenAboveIsACrossUpAndBackIsACrossDown) {
  EXPECT_EQ(run({B, A, B, A}),
            std::vector<Cross>({Cross::None, Cross::Up, Cross::Down, Cross::Up}));
}

TEST(CrossoverDetectorTest, StayingOnOneSideIsNoCross) {
  EXPECT_EQ(run({A, A, A}), std::vector<Cross>({Cross::None, Cross::None, Cross::None}));
}

TEST(CrossoverDetectorTest, EqualBarsBetweenSidesAreSkipped) {
  EXPECT_EQ(run({B, E, E, A}),
            std::vector<Cross>({Cross::None, Cross::None, Cross::None, Cross::Up}));
  EXPECT_EQ(run({A, E, B}), std::vector<Cross>({Cross::None, Cross::None, Cross::Down}));
}

TEST(CrossoverDetectorTest, TouchingAndReturningToTheSameSideIsNoCross) {
  EXPECT_EQ(run({A, E, A, E, E, A}), std::vector<Cross>({Cross::None, Cross::None, Cross::None,
                                                         Cross::None, Cross::None, Cross::None}));
}

TEST(CrossoverDetectorTest, LeadingEqualBarsGiveNoEarlierSide) {
  // The first bar where the averages differ is "the first defined side": not a cross.
  EXPECT_EQ(run({E, E, A, B}),
            std::vector<Cross>({Cross::None, Cross::None, Cross::None, Cross::Down}));
}

TEST(CrossoverDetectorTest, RemembersTheLastSideWhereTheAveragesDiffered) {
  CrossoverDetector detector;
  EXPECT_EQ(detector.last_side(), std::nullopt);
  detector.update(B);
  detector.update(E);
  EXPECT_EQ(detector.last_side(), B);
}
