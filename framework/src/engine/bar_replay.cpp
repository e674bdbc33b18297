#include "engine/bar_replay.hpp"

#include <algorithm>
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
    if (series_[i].size() > 0) heap_.push_back({series_[i].ts(0).ns, i});
  }
  std::sort(heap_.begin(), heap_.end(), [](const Cursor& a, const Cursor& b) { return a.before(b); });  // a sorted array is a heap
}

void BarReplay::sink_top() noexcept {
  const std::size_t n = heap_.size();
  const Cursor moving = heap_[0];
  std::size_t at = 0;
  for (;;) {
    std::size_t child = 2 * at + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1].before(heap_[child])) ++child;
    if (!heap_[child].before(moving)) break;
    heap_[at] = heap_[child];
    at = child;
  }
  heap_[at] = moving;
}

const sdk::Bar* BarReplay::next(std::size_t& route) {
  if (heap_.empty()) return nullptr;
  const std::size_t index = heap_[0].series;
  const BarSeries& s = series_[index];
  std::size_t& pos = position_[index];
  s.get(pos++, current_);
  if (pos < s.size()) {
    heap_[0].ts = s.ts(pos).ns;
  } else {
    heap_[0] = heap_.back();
    heap_.pop_back();
  }
  if (!heap_.empty()) sink_top();
  route = s.route();
  return &current_;
}

}  // namespace mercurio::kernel
