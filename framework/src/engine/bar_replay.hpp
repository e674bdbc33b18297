#pragma once
// Backtest replay: merges per-symbol bar series into one stream ordered by timestamp; bars with
// the same timestamp come in series order (data brokers in config order, symbols sorted).

#include <cstddef>
#include <queue>
#include <vector>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

struct BarSeries {
  std::size_t route = 0;  // the kernel's tag: which brokers the series' bars are processed for
  std::vector<sdk::Bar> bars;
};

class BarReplay {
 public:
  explicit BarReplay(std::vector<BarSeries> series);
  /// The next bar and its series' route, or nullptr at the end.
  const sdk::Bar* next(std::size_t& route);
  std::size_t total_bars() const noexcept { return total_; }

 private:
  struct Cursor {
    sdk::Timestamp ts;
    std::size_t series;
    bool operator>(const Cursor& o) const { return ts != o.ts ? ts > o.ts : series > o.series; }
  };
  std::vector<BarSeries> series_;
  std::vector<std::size_t> position_;
  std::priority_queue<Cursor, std::vector<Cursor>, std::greater<>> heap_;
  std::size_t total_ = 0;
};

}  // namespace mercurio::kernel
