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
// A closing order sent on a bar after the cross (see check_exit): told apart from the orders
// sent at the cross in the journal and the orders report.
constexpr std::string_view kExitRetryTag = "ma-exit-retry";

std::string format_average(double value) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, 4);
  if (res.ec != std::errc{}) return "?";
  return std::string(buf, res.ptr);
}

std::string describe(Side side, Decimal quantity, const sdk::Symbol& symbol) {
  return std::string(sdk::to_string(side)) + " " + quantity.to_string() + " " + symbol.str();
}

// What tells one refusal from another: the text up to the first ':' (the risk gate's code, e.g.
// MARKET_CLOSED; the kernel's "not sent" during the warm-up). The rest often names the time.
std::string_view refusal_code(std::string_view message) {
  return message.substr(0, message.find(':'));
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
  // The detector advances even when the signal is then skipped: a cross happens once. Only its
  // exit is tried again on later bars (check_exit); its entry is not.
  const Cross cross = state.detector.update(*relation);
  if (cross == Cross::None) {
    // Almost every bar ends here: the position was seen in line and nothing changed it since.
    if (!state.check_position) return;
    try {
      check_exit(ctx, bar, state);
    } catch (const std::exception& e) {
      ctx.logger().error("checking the position in " + bar.symbol.str() + ": no order, " +
                         e.what());
    }
    return;
  }
  state.check_position = true;
  reset_exit(state);
  try {
    if (on_cross(ctx, bar, cross, *state.averages)) state.check_position = false;
  } catch (const std::exception& e) {
    ctx.logger().error(std::string(to_string(cross)) + " on " + bar.symbol.str() + ": no order, " +
                       e.what());
  }
}

void MovingAverageStrategy::on_order_event(sdk::StrategyContext&, const sdk::OrderEvent& event) {
  // A fill changes the position: in case it left it on the wrong side (e.g. a buy that filled
  // after a death cross was skipped for it), the symbol's next bar looks, and closes may be sent
  // again. Other events change nothing the flag does not already cover (it is set whenever an
  // order is sent), except the end of a close of check_exit that filled nothing: counted.
  if (event.is_fill()) {
    const auto it = fill_hint_.find(states_, event.symbol);
    if (it == states_.end()) return;
    SymbolState& state = it->second;
    state.check_position = true;
    // Untracks a close still working too: its cancel or expiry after this (partial) fill is
    // not a rejection (the position changed).
    reset_exit(state);
    return;
  }
  if (exits_working_ == 0 || !event.is_final()) return;  // almost every event: no lookup
  const auto it = states_.find(event.symbol);
  if (it == states_.end() || it->second.exit_order != event.client_order_id) return;
  SymbolState& state = it->second;
  untrack_exit(state);
  if (state.exit_rejections < UINT32_MAX) ++state.exit_rejections;
  state.last_rejection = std::string(sdk::to_string(event.type)) + ": " + event.reason;
}

void MovingAverageStrategy::reset_exit(SymbolState& state) {
  // A close still working belongs to the count before the reset: its end is not counted after it.
  untrack_exit(state);
  state.exit_retries = 0;
  state.last_refusal.clear();
  state.exit_rejections = 0;
  state.stop_logged = false;
}

void MovingAverageStrategy::track_exit(SymbolState& state, const sdk::ClientOrderId& id) {
  if (state.exit_order.empty()) ++exits_working_;
  state.exit_order = id;
}

void MovingAverageStrategy::untrack_exit(SymbolState& state) {
  if (state.exit_order.empty()) return;
  --exits_working_;
  state.exit_order = {};
}

void MovingAverageStrategy::check_exit(sdk::StrategyContext& ctx, const sdk::Bar& bar,
                                       SymbolState& state) {
  const std::optional<Relation> side = state.detector.last_side();
  if (!side) return;  // only ties so far: no side to be on the wrong side of
  const sdk::Symbol& symbol = bar.symbol;
  const sdk::PortfolioView& portfolio = ctx.portfolio();
  // An order of its own may still change the position (fill, partial fill, cancel): looked at
  // again on the next bar, once it is final.
  if (portfolio.open_order_count(symbol) > 0) return;
  const Decimal position = portfolio.position(symbol).quantity;
  const bool below = *side == Relation::Below;
  if (below ? !position.is_positive() : !position.is_negative()) {
    state.check_position = false;  // in line (flat counts): nothing to do until the next change
    reset_exit(state);
    return;
  }
  // Long while below (or short while above): the cross that should have closed it was refused,
  // skipped or only partly filled, or the position was held before a restart. Close it, and only
  // close it: a new entry belongs to the cross's bar and price (README, "Trading rules").
  const Cross cross = below ? Cross::Down : Cross::Up;
  const Decimal quantity = position.abs();
  sdk::Logger& log = ctx.logger();
  const auto holds = [&] {
    return std::string(to_string(cross)) + " on " + symbol.str() + " at " + bar.ts.to_iso8601() +
           " still holds while " + (below ? "long " : "short ") + quantity.to_string();
  };
  if (state.exit_rejections >= kMaxExitRejections) {
    // Another close would most likely end the same way, and each is a real order at the broker
    // (and an alert of the kernel's). check_position stays set: each bar still looks (two reads),
    // so a position brought in line another way is seen.
    if (!state.stop_logged)
      log.error(holds() + ", and the broker ended the last " +
                std::to_string(state.exit_rejections) + " closes sent for it unfilled (last " +
                state.last_rejection +
                "): no more are sent; an operator must close it with 'mercurio flatten "
                "--strategy <this strategy's id> --reason \"...\"' (a close made at the broker "
                "directly is not this strategy's fill: its book would keep the position). Closes "
                "resume after a new cross or a fill in " +
                symbol.str());
    state.stop_logged = true;
    return;
  }
  if (state.exit_retries < UINT32_MAX) ++state.exit_retries;
  const Side order_side = below ? Side::Sell : Side::Buy;
  // Sent first, logged after: whether this attempt is worth more than debug depends on how it ends.
  const sdk::Result<sdk::ClientOrderId> result =
      send(ctx, symbol, order_side, quantity, kExitRetryTag);
  // A real order logs at info; a refusal at warning when it is the run's first or its reason
  // changed (the first live bar's MARKET_CLOSED after the warm-up's "not sent", whose refusals the
  // SDK does not tell apart), else at debug.
  const sdk::Status status = result.status();  // ok when sent
  const std::string_view refusal = result ? std::string_view{} : refusal_code(status.message());
  const bool first = state.exit_retries == 1;
  const bool loud = result || first || refusal != state.last_refusal;
  const sdk::LogLevel level = loud ? sdk::LogLevel::Info : sdk::LogLevel::Debug;
  if (log.enabled(level))
    log.log(level, holds() + ": closing again" +
                       (first ? "" : " (attempt " + std::to_string(state.exit_retries) + ")"));
  log_submit(ctx, result, symbol, order_side, quantity, kExitRetryTag,
             loud ? sdk::LogLevel::Warning : sdk::LogLevel::Debug);
  state.last_refusal = refusal;
  if (result) track_exit(state, result.value());
}

bool MovingAverageStrategy::on_cross(sdk::StrategyContext& ctx, const sdk::Bar& bar, Cross cross,
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
    return false;
  }
  const Decimal position = portfolio.position(symbol).quantity;

  // Quantity to close (the current position) and to open (a new entry) with this signal.
  Decimal closing;
  bool wants_entry = false;
  if (cross == Cross::Up) {
    if (position.is_positive()) {
      if (debug) log.debug("no order on " + what() + ": already long " + position.to_string());
      return true;
    }
    if (position.is_negative() && settings_.long_only)
      log.warn(what() + ": unexpected short position " + position.to_string() +
                        " with long_only; buying it back and going long");
    closing = position.abs();
    wants_entry = true;
  } else {
    if (position.is_negative()) {
      if (debug) log.debug("no order on " + what() + ": already short " + position.to_string());
      return true;
    }
    if (position.is_zero() && settings_.long_only) {
      if (debug) log.debug("no order on " + what() + ": flat and long_only");
      return true;
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
  if (quantity.is_zero()) return true;  // flat, and no entry
  submit(ctx, symbol, cross == Cross::Up ? Side::Buy : Side::Sell, quantity,
         cross == Cross::Up ? kGoldenTag : kDeathTag);
  return false;  // sent or refused: the next bar looks at the position
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
                                   Decimal quantity, std::string_view tag,
                                   sdk::LogLevel failure_level) {
  log_submit(ctx, send(ctx, symbol, side, quantity, tag), symbol, side, quantity, tag,
             failure_level);
}

sdk::Result<sdk::ClientOrderId> MovingAverageStrategy::send(sdk::StrategyContext& ctx,
                                                            const sdk::Symbol& symbol, Side side,
                                                            Decimal quantity,
                                                            std::string_view tag) {
  sdk::OrderIntent intent;
  intent.symbol = symbol;
  intent.side = side;
  intent.type = sdk::OrderType::Market;
  intent.time_in_force = sdk::TimeInForce::Day;
  intent.quantity = quantity;
  intent.tag = std::string(tag);
  return ctx.submit(intent);
}

void MovingAverageStrategy::log_submit(sdk::StrategyContext& ctx,
                                       const sdk::Result<sdk::ClientOrderId>& result,
                                       const sdk::Symbol& symbol, Side side, Decimal quantity,
                                       std::string_view tag, sdk::LogLevel failure_level) {
  sdk::Logger& log = ctx.logger();
  if (!result) {
    if (log.enabled(failure_level))
      log.log(failure_level, "submit " + describe(side, quantity, symbol) + " (" +
                                 std::string(tag) + ") failed: " + result.status().message());
    return;
  }
  if (log.enabled(sdk::LogLevel::Info))
    log.info("submitted " + describe(side, quantity, symbol) + " (" + std::string(tag) + ") as " +
             result.value().str());
}

}  // namespace mercurio::strategies::moving_average
