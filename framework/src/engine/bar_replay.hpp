#pragma once
// Backtest replay: merges per-symbol bar series into one stream ordered by timestamp; bars with
// the same timestamp come in series order (data brokers in config order, symbols sorted).
//
// Memory: a backtest holds every bar of every symbol for the whole replay, so the series are kept
// compact: 48 bytes a bar (time and five decimal mantissas) and the symbol once per series, against
// 80 bytes for an sdk::Bar (whose symbol is a 32-byte inline string). A series is compacted when it
// is built, so a broker's whole history never sits in memory twice, in memory that may come as
// transparent huge pages (far fewer page faults and TLB misses; see huge_page_array.hpp).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/huge_page_array.hpp"
#include "mercurio/sdk/status.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// One symbol's bars from one broker, in strictly increasing time, with the kernel's tag for them
/// (`route`: which brokers the bars are processed for).
class BarSeries {
 public:
  /// Compacts a broker's history of `symbol`, checking it on the way (one pass over the bars): each
  /// must be of `symbol` and later than the one before. InvalidArgument naming the first bar that
  /// is not, and no series. `bars` is taken and freed either way.
  static sdk::Result<BarSeries> checked(std::size_t route, const sdk::Symbol& symbol,
                                        std::vector<sdk::Bar>&& bars);

  std::size_t route() const noexcept { return route_; }
  std::size_t size() const noexcept { return bars_.size(); }
  sdk::Timestamp ts(std::size_t i) const noexcept { return sdk::Timestamp{bars_[i].ts}; }
  /// Writes bar `i` into `out` (every field, the symbol included).
  void get(std::size_t i, sdk::Bar& out) const noexcept;
  /// Asks the CPU to start loading bar `i` (any index: past the end it does nothing).
  void prefetch(std::size_t i) const noexcept {
    if (i < bars_.size()) __builtin_prefetch(&bars_[i]);
  }

 private:
  BarSeries() = default;
  struct CompactBar {
    std::int64_t ts;
    std::int64_t open, high, low, close, volume;  // Decimal raw mantissas
  };
  static_assert(sizeof(CompactBar) == 48);
  std::size_t route_ = 0;
  sdk::Symbol symbol_;
  HugePageArray<CompactBar> bars_;  // a backtest's largest allocation by far
};

class BarReplay {
 public:
  explicit BarReplay(std::vector<BarSeries> series);
  /// The next bar and its series' route, or nullptr at the end. The bar is valid until the next
  /// call (it lives in the replay, not in the series).
  const sdk::Bar* next(std::size_t& route);
  std::size_t total_bars() const noexcept { return total_; }

 private:
  struct Cursor {
    std::int64_t ts;
    std::size_t series;
    bool before(const Cursor& o) const noexcept { return ts != o.ts ? ts < o.ts : series < o.series; }
  };
  // Each unfinished series' next bar, sorted by (time, series), in a ring: the earliest is taken
  // from the front and the series' following bar goes back in its place in the order. Aligned
  // series (every symbol on the same bar times) append it at the back, one comparison; a series
  // ahead of the others (a dense one among sparse ones) puts it at the front, one more. Otherwise
  // a binary search finds the place and the shorter side moves by one: never worse than
  // min(k, n - k) moves for n series, and no sift through a heap on every bar.
  Cursor& at(std::size_t i) noexcept {
    const std::size_t slot = head_ + i;
    return ring_[slot < ring_.size() ? slot : slot - ring_.size()];
  }
  void take_front_and_insert(const Cursor& moved) noexcept;
  std::vector<BarSeries> series_;
  std::vector<std::size_t> position_;
  std::vector<Cursor> ring_;  // capacity: the series that have bars
  std::size_t head_ = 0;
  std::size_t count_ = 0;
  std::size_t total_ = 0;
  sdk::Bar current_;
};

}  // namespace mercurio::kernel
