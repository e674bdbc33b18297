#pragma once
// Hand-written fakes for the strategy's view of the kernel: a recording logger, a portfolio the
// test sets up, and a context that records subscriptions and submitted intents.

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mercurio/sdk/strategy.hpp"

namespace mercurio::strategies::moving_average::testing {

class RecordingLogger final : public sdk::Logger {
 public:
  struct Line {
    sdk::LogLevel level;
    std::string message;
  };
  void log(sdk::LogLevel level, std::string_view message) override {
    lines.push_back({level, std::string(message)});
  }
  bool enabled(sdk::LogLevel) const override { return true; }

  bool has(sdk::LogLevel level, std::string_view fragment) const {
    return std::any_of(lines.begin(), lines.end(), [&](const Line& l) {
      return l.level == level && l.message.find(fragment) != std::string::npos;
    });
  }
  std::vector<Line> lines;
};

class FakePortfolio final : public sdk::PortfolioView {
 public:
  sdk::Position position(const sdk::Symbol& symbol) const override {
    ++position_calls;
    auto it = held.find(symbol);
    if (it != held.end()) return it->second;
    sdk::Position flat;
    flat.symbol = symbol;
    return flat;
  }
  std::vector<sdk::Position> positions() const override {
    std::vector<sdk::Position> out;
    for (const auto& [s, p] : held)
      if (!p.is_flat()) out.push_back(p);
    return out;
  }
  sdk::AccountSnapshot account() const override { return account_snapshot; }
  std::size_t open_order_count(const sdk::Symbol& symbol) const override {
    ++open_order_calls;
    auto it = open_orders.find(symbol);
    return it == open_orders.end() ? 0 : it->second;
  }

  void set_position(const sdk::Symbol& symbol, const char* quantity) {
    sdk::Position p;
    p.symbol = symbol;
    p.quantity = sdk::Decimal::from_string(quantity);
    held[symbol] = p;
  }

  std::map<sdk::Symbol, sdk::Position> held;
  std::map<sdk::Symbol, std::size_t> open_orders;
  sdk::AccountSnapshot account_snapshot;
  // How often the strategy looked (the per-bar cost a backtest pays).
  mutable std::size_t position_calls = 0;
  mutable std::size_t open_order_calls = 0;
};

class FakeContext final : public sdk::StrategyContext {
 public:
  std::string_view strategy_id() const override { return "ma-test"; }
  sdk::Status subscribe_bars(const sdk::Symbol& symbol) override {
    if (subscribe_failure && symbol == subscribe_failure_symbol) return *subscribe_failure;
    subscribed.push_back(symbol);
    return sdk::Status::ok();
  }
  const sdk::PortfolioView& portfolio() const override { return portfolio_view; }
  sdk::Timestamp now() const override { return {}; }
  sdk::Logger& logger() override { return log; }
  sdk::Result<sdk::ClientOrderId> submit(const sdk::OrderIntent& intent) override {
    submitted.push_back(intent);
    if (submit_failure) return *submit_failure;
    return sdk::ClientOrderId("ma-test-" + std::to_string(submitted.size()));
  }
  sdk::Status cancel(const sdk::ClientOrderId&) override { return sdk::Status::ok(); }

  FakePortfolio portfolio_view;
  RecordingLogger log;
  std::vector<sdk::Symbol> subscribed;
  std::vector<sdk::OrderIntent> submitted;
  std::optional<sdk::Status> submit_failure;
  std::optional<sdk::Status> subscribe_failure;
  sdk::Symbol subscribe_failure_symbol;
};

}  // namespace mercurio::strategies::moving_average::testing
