#include "moving_average_strategy.hpp"

#include <charconv>
#include <exception>
#include <string>
#include <utility>

#include "mercurio/sdk/sizing.hpp"

namespace mercurio::strategies::moving_average {

namespace {

using sdk::Decimal;
using sdk::Side;

constexpr std::string_view kGoldenTag = "ma-golden-cross";
constexpr std::string_view kDeathTag = "ma-death-cross";

std::string format_average(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 4);
  if (res.ec != std::errc{}) return "?";
  return std::string(buf, res.ptr);
}

std::string describe(Side side, Decimal quantity, const sdk::Symbol& symbol) {
  return std::string(sdk::to_string(side)) + " " + quantity.to_string() + " " + symbol.str();
}

}  // namespace

MovingAverageStrategy::MovingAverageStrategy(const sdk::ConfigView& config)
    : MovingAverageStrategy(parse_settings(config)) {}

MovingAverageStrategy::MovingAverageStrategy(Settings settings) : settings_(std::move(settings)) {
  validate(settings_);
  for (const auto& symbol : settings_.symbols) {
    states_.emplace(sdk::Symbol(symbol),
                    SymbolState{make_average_pair(settings_.average,
                                                  static_cast<std::size_t>(settings_.short_window),
                                                  static_cast<std::size_t>(settings_.long_window)),
                                CrossoverDetector{}});
  }
}

sdk::Status MovingAverageStrategy::on_start(sdk::StrategyContext& ctx) {
  for (const auto& [symbol, state] : states_) {
    sdk::Status status = ctx.subscribe_bars(symbol);
    if (!status) {
      ctx.logger().error("cannot subscribe to bars of " + symbol.str() + ": " + status.message());
      return status;
    }
  }
  ctx.logger().info(
      "moving-average crossover started: " + std::to_string(states_.size()) + " symbol(s), " +
      std::string(to_string(settings_.average)) + " " + std::to_string(settings_.short_window) +
      "/" + std::to_string(settings_.long_window) + ", sizing " +
      std::string(to_string(settings_.sizing)) + (settings_.long_only ? ", long only" : ""));
  return sdk::Status::ok();
}

void MovingAverageStrategy::on_bar(sdk::StrategyContext& ctx, const sdk::Bar& bar) {
  const auto it = hint_.find(states_, bar.symbol);
  if (it == states_.end()) {
    ctx.logger().debug("ignoring a bar of " + bar.symbol.str() + ", which is not in 'symbols'");
    return;
  }
  SymbolState& state = it->second;
  const std::optional<Relation> relation = state.averages->update(bar.close);
  if (!relation) return;
  // The detector advances even when the signal is then skipped: a cross happens once.
  const Cross cross = state.detector.update(*relation);
  if (cross == Cross::None) return;
  try {
    on_cross(ctx, bar, cross, *state.averages);
  } catch (const std::exception& e) {
    ctx.logger().error(std::string(to_string(cross)) + " on " + bar.symbol.str() + ": no order, " +
                       e.what());
  }
}

void MovingAverageStrategy::on_cross(sdk::StrategyContext& ctx, const sdk::Bar& bar, Cross cross,
                                     const AveragePair& averages) {
  const sdk::Symbol& symbol = bar.symbol;
  // Log lines are built only when their level is on: a backtest crosses tens of thousands of times.
  sdk::Logger& log = ctx.logger();
  const bool debug = log.enabled(sdk::LogLevel::Debug);
  const auto what = [&] {
    return std::string(to_string(cross)) + " on " + symbol.str() + " at " + bar.ts.to_iso8601();
  };
  if (log.enabled(sdk::LogLevel::Info))
    log.info(what() + ": short " + std::string(to_string(settings_.average)) + " " +
             format_average(averages.short_value()) + (cross == Cross::Up ? " > " : " < ") +
             "long " + format_average(averages.long_value()));

  const sdk::PortfolioView& portfolio = ctx.portfolio();
  if (const std::size_t open = portfolio.open_order_count(symbol); open > 0) {
    if (debug) log.debug("skipping " + what() + ": " + std::to_string(open) + " open order(s)");
    return;
  }
  const Decimal position = portfolio.position(symbol).quantity;

  // Quantity to close (the current position) and to open (a new entry) with this signal.
  Decimal closing;
  bool wants_entry = false;
  if (cross == Cross::Up) {
    if (position.is_positive()) {
      if (debug) log.debug("no order on " + what() + ": already long " + position.to_string());
      return;
    }
    if (position.is_negative() && settings_.long_only)
      log.warn(what() + ": unexpected short position " + position.to_string() +
                        " with long_only; buying it back and going long");
    closing = position.abs();
    wants_entry = true;
  } else {
    if (position.is_negative()) {
      if (debug) log.debug("no order on " + what() + ": already short " + position.to_string());
      return;
    }
    if (position.is_zero() && settings_.long_only) {
      if (debug) log.debug("no order on " + what() + ": flat and long_only");
      return;
    }
    closing = position;
    wants_entry = !settings_.long_only;
  }

  Decimal entry;
  if (wants_entry) {
    entry = entry_size(ctx, bar);
    if (entry.is_zero())
      log.warn(what() + ": position size is zero (sizing " +
                        std::string(to_string(settings_.sizing)) + " at close " +
                        bar.close.to_string() + "), " +
                        (closing.is_zero() ? "no order" : "closing the position only"));
  }
  const Decimal quantity = closing + entry;
  if (quantity.is_zero()) return;
  submit(ctx, symbol, cross == Cross::Up ? Side::Buy : Side::Sell, quantity, cross);
}

Decimal MovingAverageStrategy::entry_size(sdk::StrategyContext& ctx, const sdk::Bar& bar) const {
  switch (settings_.sizing) {
    case Sizing::Fixed: return settings_.quantity;
    case Sizing::PercentEquity:
      return sdk::position_size_pct(ctx.portfolio().account().equity, settings_.percent, bar.close,
                                    settings_.lot_size);
    case Sizing::PercentBuyingPower:
      return sdk::position_size_pct(ctx.portfolio().account().buying_power, settings_.percent,
                                    bar.close, settings_.lot_size);
  }
  return Decimal{};
}

void MovingAverageStrategy::submit(sdk::StrategyContext& ctx, const sdk::Symbol& symbol, Side side,
                                   Decimal quantity, Cross cross) {
  sdk::OrderIntent intent;
  intent.symbol = symbol;
  intent.side = side;
  intent.type = sdk::OrderType::Market;
  intent.time_in_force = sdk::TimeInForce::Day;
  intent.quantity = quantity;
  intent.tag = std::string(cross == Cross::Up ? kGoldenTag : kDeathTag);
  const sdk::Result<sdk::ClientOrderId> result = ctx.submit(intent);
  if (!result) {
    ctx.logger().warn("submit " + describe(side, quantity, symbol) + " (" + intent.tag +
                      ") failed: " + result.status().message());
    return;
  }
  if (!ctx.logger().enabled(sdk::LogLevel::Info)) return;
  ctx.logger().info("submitted " + describe(side, quantity, symbol) + " (" + intent.tag + ") as " +
                    result.value().str());
}

}  // namespace mercurio::strategies::moving_average
