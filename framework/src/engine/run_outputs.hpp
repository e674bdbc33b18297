#pragma once
// trades.csv and equity.csv, written as the run goes. Byte-identical for the same inputs:
// fixed column order, exact decimals, ISO-8601 UTC timestamps, "\n" line ends.

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

class RunOutputs {
 public:
  /// Creates `dir` if needed and opens both files (throws std::runtime_error naming the path).
  explicit RunOutputs(const std::filesystem::path& dir);
  ~RunOutputs();
  RunOutputs(const RunOutputs&) = delete;
  RunOutputs& operator=(const RunOutputs&) = delete;

  void trade(const sdk::OrderEvent& fill, std::string_view strategy_id, std::string_view broker_id);
  void equity(sdk::Timestamp ts, sdk::Decimal cash, sdk::Decimal positions_value, sdk::Decimal equity,
              sdk::Decimal drawdown);
  /// Flushes and closes; throws std::runtime_error if anything could not be written.
  void close();

  const std::filesystem::path& trades_path() const noexcept { return trades_path_; }
  const std::filesystem::path& equity_path() const noexcept { return equity_path_; }

 private:
  std::filesystem::path trades_path_;
  std::filesystem::path equity_path_;
  std::FILE* trades_ = nullptr;
  std::FILE* equity_ = nullptr;
};

}  // namespace mercurio::kernel
