#include "engine/bar_replay.hpp"

namespace mercurio::kernel {

BarReplay::BarReplay(std::vector<BarSeries> series) : series_(std::move(series)), position_(series_.size(), 0) {
  for (std::size_t i = 0; i < series_.size(); ++i) {
    total_ += series_[i].bars.size();
    if (!series_[i].bars.empty()) heap_.push({series_[i].bars.front().ts, i});
  }
}

const sdk::Bar* BarReplay::next(std::size_t& route) {
  if (heap_.empty()) return nullptr;
  const Cursor top = heap_.top();
  heap_.pop();
  auto& s = series_[top.series];
  const sdk::Bar* bar = &s.bars[position_[top.series]++];
  if (position_[top.series] < s.bars.size()) heap_.push({s.bars[position_[top.series]].ts, top.series});
  route = s.route;
  return bar;
}

}  // namespace mercurio::kernel
