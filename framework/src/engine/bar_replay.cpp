#include "engine/bar_replay.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/bar_check.hpp"

namespace mercurio::kernel {

sdk::Result<BarSeries> BarSeries::checked(std::size_t route, const sdk::Symbol& symbol,
                                          std::vector<sdk::Bar>&& bars) {
  const std::vector<sdk::Bar> taken = std::move(bars);  // freed on return
  BarSeries series;
  series.route_ = route;
  series.symbol_ = symbol;
  series.bars_ = HugePageArray<CompactBar>(taken.size());
  for (std::size_t i = 0; i < taken.size(); ++i) {
    const sdk::Bar& b = taken[i];
    if (b.symbol != symbol || (i > 0 && !(taken[i - 1].ts < b.ts)))
      return sdk::Status(sdk::StatusCode::InvalidArgument,
                         "the history is not one symbol in strictly increasing time (bar " +
                             std::to_string(i) + ")");
    // As a live bar: a bad print would be marked, and traded on.
    if (std::string problem = bar_price_problem(b); !problem.empty())
      return sdk::Status(sdk::StatusCode::InvalidArgument,
                         "bar " + std::to_string(i) + " of the history, at " + b.ts.to_iso8601() +
                             ", has " + problem);
    series.bars_[i] = {b.ts.ns,     b.open.raw(),  b.high.raw(),
                       b.low.raw(), b.close.raw(), b.volume.raw()};
  }
  return series;
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
    if (series_[i].size() > 0) ring_.push_back({series_[i].ts(0).ns, i});
  }
  std::sort(ring_.begin(), ring_.end(), [](const Cursor& a, const Cursor& b) { return a.before(b); });
  count_ = ring_.size();
}

void BarReplay::take_front_and_insert(const Cursor& moved) noexcept {
  // Taking the front frees its slot, which is now just before the new front and, in a full
  // ring, just after the back: `moved` can go in at either end without moving anything.
  head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
  const std::size_t n = count_ - 1;  // the other cursors, at [0, n)
  if (n == 0 || !moved.before(at(n - 1))) {  // the common case: after every other cursor
    at(n) = moved;
    return;
  }
  if (moved.before(at(0))) {  // before every other cursor
    head_ = head_ == 0 ? ring_.size() - 1 : head_ - 1;
    at(0) = moved;
    return;
  }
  // The first cursor `moved` comes before is in [1, n - 1]: the ends were checked above.
  std::size_t lo = 1, hi = n - 1;
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (moved.before(at(mid))) hi = mid;
    else lo = mid + 1;
  }
  if (lo <= n - lo) {  // fewer in front of the place: they move one slot towards the front
    head_ = head_ == 0 ? ring_.size() - 1 : head_ - 1;
    for (std::size_t i = 0; i < lo; ++i) at(i) = at(i + 1);
  } else {  // fewer behind it: they move one slot towards the back
    for (std::size_t i = n; i > lo; --i) at(i) = at(i - 1);
  }
  at(lo) = moved;
}

namespace {
// How far past a series' next bar to ask for: 48-byte bars, so about three cache lines ahead.
constexpr std::size_t kPrefetchAhead = 4;
}  // namespace

const sdk::Bar* BarReplay::next(std::size_t& route) {
  if (count_ == 0) return nullptr;
  const std::size_t index = at(0).series;
  const BarSeries& s = series_[index];
  std::size_t& pos = position_[index];
  s.get(pos++, current_);
  // A series is read one bar per turn of the whole merge, one stream among as many as there are
  // series: more than the hardware's stride prefetchers follow, so each series' next cache
  // lines are asked for well before its turn comes again.
  s.prefetch(pos + kPrefetchAhead);
  if (pos < s.size()) {
    take_front_and_insert({s.ts(pos).ns, index});
  } else {  // the series is done: its cursor leaves the ring
    head_ = head_ + 1 == ring_.size() ? 0 : head_ + 1;
    --count_;
  }
  route = s.route();
  return &current_;
}

}  // namespace mercurio::kernel
