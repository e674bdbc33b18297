#include "engine/bar_replay.hpp"

#include <utility>

namespace mercurio::kernel {

BarSeries::BarSeries(std::size_t route, std::vector<sdk::Bar>&& bars) : route_(route) {
  std::vector<sdk::Bar> taken = std::move(bars);  // freed at the end of this constructor
  if (!taken.empty()) symbol_ = taken.front().symbol;
  bars_ = HugePageArray<CompactBar>(taken.size());
  for (std::size_t i = 0; i < taken.size(); ++i) {
    const sdk::Bar& b = taken[i];
    bars_[i] = {b.ts.ns, b.open.raw(), b.high.raw(), b.low.raw(), b.close.raw(), b.volume.raw()};
  }
}

void BarSeries::get(std::size_t i, sdk::Bar& out) const noexcept {
  const CompactBar& c = bars_[i];
  out.ts = sdk::Timestamp{c.ts};
  out.symbol = symbol_;
  out.open = sdk::Decimal::from_raw(c.open);
  out.high = sdk::Decimal::from_raw(c.high);
  out.low = sdk::Decimal::from_raw(c.low);
  out.close = sdk::Decimal::from_raw(c.close);
  out.volume = sdk::Decimal::from_raw(c.volume);
}

BarReplay::BarReplay(std::vector<BarSeries> series) : series_(std::move(series)), position_(series_.size(), 0) {
  for (std::size_t i = 0; i < series_.size(); ++i) {
    total_ += series_[i].size();
    if (series_[i].size() > 0) heap_.push({series_[i].ts(0), i});
  }
}

const sdk::Bar* BarReplay::next(std::size_t& route) {
  if (heap_.empty()) return nullptr;
  const Cursor top = heap_.top();
  heap_.pop();
  const BarSeries& s = series_[top.series];
  std::size_t& pos = position_[top.series];
  s.get(pos++, current_);
  if (pos < s.size()) heap_.push({s.ts(pos), top.series});
  route = s.route();
  return &current_;
}

}  // namespace mercurio::kernel
