#include "risk/risk_gate.hpp"

#include <algorithm>
#include <map>

#include "calendar/always_open_calendar.hpp"
#include "clock/durations.hpp"
#include "mercurio/text/ascii.hpp"
#include "risk/intent_text.hpp"

namespace mercurio::kernel {

using sdk::Decimal;

namespace {

// The time from `from` to `to` in seconds, to the nanosecond ("61", "60.5"), for a message.
std::string seconds_text(sdk::Timestamp from, sdk::Timestamp to) {
  const __int128 ns = static_cast<__int128>(to.ns) - from.ns;
  const auto rest = static_cast<std::int64_t>(ns % sdk::Timestamp::kNanosPerSecond);
  // Rounded up: 60 s and 1 ns must not read "60" in a message that refuses 60.
  return (Decimal::from_int(whole_seconds_between(from, to)) + Decimal::from_raw((rest + 9) / 10))
      .to_string();
}

// What `equity` has lost from `reference` (> 0), in % of it. A loss whose hundredfold leaves the
// decimal range (beyond about 922 million) is divided first: 6 digits then, not 8.
Decimal loss_pct(Decimal reference, Decimal equity) {
  const Decimal loss = reference - equity, hundred = Decimal::from_int(100);
  try {
    return loss * hundred / reference;
  } catch (const sdk::DecimalError&) {
    return loss / reference * hundred;
  }
}

}  // namespace

std::string_view to_string(TradingState state) noexcept {
  switch (state) {
    case TradingState::Active: return "ACTIVE";
    case TradingState::Reducing: return "REDUCING";
    case TradingState::Halted: return "HALTED";
  }
  return "?";
}

RiskGate::RiskGate(RiskConfig config, std::vector<EffectiveLimits> strategy_limits,
                   std::vector<std::size_t> strategy_broker,
                   std::vector<EffectiveLimits> broker_limits, const RiskView* view)
    : has_limits_(true),
      config_(std::move(config)),
      limits_(std::move(strategy_limits)),
      strategy_broker_(std::move(strategy_broker)),
      view_(view),
      recent_(broker_limits.size()) {
  for (const auto& l : limits_) strategy_buckets_.emplace_back(l.max_orders_per_minute, l.order_burst);
  day_calendar_ = make_calendar(config_.limits.calendar.value_or("24/7"));
  day_is_utc_ = !day_calendar_ || dynamic_cast<const AlwaysOpenCalendar*>(day_calendar_.get());
  std::map<std::string, std::shared_ptr<const MarketCalendar>> by_code;
  for (const auto& l : limits_) {
    auto& cal = by_code[l.calendar];
    if (!cal) cal = make_calendar(l.calendar);  // codes were checked with the configuration
    calendars_.push_back(cal);
  }
  // A broker's bucket uses its own rate ([risk] or its tighter [plugin.risk]): strategies sharing
  // a broker share its budget.
  for (const auto& venue : broker_limits) {
    broker_buckets_.emplace_back(venue.max_orders_per_minute, venue.order_burst);
    broker_duplicate_window_.push_back(venue.duplicate_window_seconds);
  }
  for (std::size_t i = 0; i < limits_.size(); ++i) {
    std::int64_t& window = broker_duplicate_window_.at(strategy_broker_.at(i));
    window = std::max(window, limits_[i].duplicate_window_seconds);
  }
}

std::optional<RiskGate::Refusal> RiskGate::state_or_form_refusal(const RiskRequest& r) const {
  const sdk::OrderIntent& in = r.intent;
  // 1. trading state and availability
  if (!r.liquidation) {
    if (state_ == TradingState::Halted)
      return refused(deny::kHalted, "trading is HALTED: no new orders until an operator resumes");
    if (!r.strategy_enabled)
      return refused(deny::kStrategyDisabled, "strategy " + r.strategy_id + " is disabled");
  }
  if (!r.broker_available)
    return refused(deny::kBrokerUnavailable, "the strategy's broker is faulted or stopped");
  // 2. a well-formed intent
  if (in.symbol.empty()) return refused(deny::kInvalidSymbol, "expected a symbol, was empty");
  // The kernel's own flatten of a position goes out under the name the broker reported it by.
  if (!r.liquidation && !r.symbol_text_checked && !text::is_printable_ascii(in.symbol.view()))
    if (std::string why = symbol_text_problem(in.symbol.view()); !why.empty())
      return refused(deny::kInvalidSymbol, std::move(why));
  if (!text::is_ascii(in.tag))
    if (std::string why = tag_text_problem(in.tag); !why.empty())
      return refused(deny::kInvalidTag, std::move(why));
  if (!in.quantity.is_positive())
    return refused(deny::kInvalidQuantity, "expected quantity > 0, was " + in.quantity.to_string());
  const bool needs_limit = in.type == sdk::OrderType::Limit || in.type == sdk::OrderType::StopLimit;
  const bool needs_stop = in.type == sdk::OrderType::Stop || in.type == sdk::OrderType::StopLimit;
  const auto type = [&] { return std::string(sdk::to_string(in.type)); };  // messages only
  if (needs_limit && !in.limit_price)
    return refused(deny::kMissingLimitPrice,
                   "expected a limit price for a " + type() + " order, was none");
  if (!needs_limit && in.limit_price)
    return refused(deny::kUnexpectedLimitPrice, "expected no limit price for a " + type() +
                                                    " order, was " + in.limit_price->to_string());
  if (needs_stop && !in.stop_price)
    return refused(deny::kMissingStopPrice,
                   "expected a stop price for a " + type() + " order, was none");
  if (!needs_stop && in.stop_price)
    return refused(deny::kUnexpectedStopPrice, "expected no stop price for a " + type() +
                                                   " order, was " + in.stop_price->to_string());
  if (in.limit_price && !in.limit_price->is_positive())
    return refused(deny::kInvalidPrice,
                   "expected limit price > 0, was " + in.limit_price->to_string());
  if (in.stop_price && !in.stop_price->is_positive())
    return refused(deny::kInvalidPrice,
                   "expected stop price > 0, was " + in.stop_price->to_string());
  return std::nullopt;
}

RiskDecision RiskGate::check(const RiskRequest& r) {
  // The only object returned, so it is built in the caller's place: an approved order is never
  // copied or moved on its way out.
  RiskDecision decision;
  std::optional<Refusal> refusal = state_or_form_refusal(r);
  if (!refusal && has_limits_ && !r.liquidation) {
    sdk::Decimal reference;
    refusal = checked_limits(r, reference);
    if (!refusal) decision.reference_price = reference;
  }
  if (refusal) {
    decision.reason = refusal->reason;
    decision.message = std::move(refusal->message);
    return decision;
  }
  decision.approved.emplace(sdk::ApprovedOrder::Key{}, r.id, r.intent, r.strategy_id, r.now);
  return decision;
}

std::optional<RiskGate::Refusal> RiskGate::checked_limits(const RiskRequest& r,
                                                          Decimal& reference) {
  try {
    return limits_refusal(r, limits_.at(r.strategy_index), reference);
  } catch (const sdk::DecimalError& e) {
    // An order so large that its value leaves the decimal range is denied, not thrown at the strategy.
    return refused(deny::kOrderNotional,
                   "the order's value is out of range (" + std::string(e.what()) + ")");
  }
}

std::optional<RiskGate::Refusal> RiskGate::limits_refusal(const RiskRequest& r,
                                                          const EffectiveLimits& l,
                                                          Decimal& reference) {
  const sdk::OrderIntent& in = r.intent;
  const std::size_t b = r.broker_index;
  const SymbolExposure& facts = r.symbol;
  const Decimal position = facts.position;
  const OpenQuantities& open = facts.open;
  const Decimal same_side_open = open.on(in.side);
  const int sign = sdk::sign_of(in.side);
  const Decimal projected = position + (in.quantity + same_side_open).times(sign);
  // Reducing: against an existing position and, with the same side's open orders, not past flat.
  const bool reduces = !position.is_zero() && position.is_positive() != (sign > 0) &&
                       in.quantity + same_side_open <= position.abs();
  const bool increases = !reduces;

  // 3. REDUCING: only orders that bring an existing position closer to flat
  if (state_ == TradingState::Reducing && increases)
    return refused(deny::kReducingOnly, "trading is REDUCING: expected an order that reduces the " +
                                            in.symbol.str() + " position " + position.to_string() +
                                            ", this one would make it " + projected.to_string());
  // 4. symbol lists
  if (l.symbols_allow && !l.symbols_allow->count(in.symbol.view()))
    return refused(deny::kSymbolNotAllowed,
                   "expected a symbol in symbols_allow, was " + in.symbol.str());
  if (l.symbols_deny.count(in.symbol.view()))
    return refused(deny::kSymbolDenied, "symbol " + in.symbol.str() + " is in symbols_deny");
  // 5. market hours of the venue's calendar (unless explicitly allowed)
  if (!l.allow_outside_market_hours) {
    const MarketCalendar* cal = calendars_.at(r.strategy_index).get();
    std::string closed;
    try {
      if (!cal) closed = "no market calendar \"" + l.calendar + "\"";
      else if (!cal->is_open(r.now))
        closed = "expected the " + l.calendar + " market to be open, it is closed at " + r.now.to_iso8601() +
                 " (next open " + cal->next_open(r.now).to_iso8601() + ")";
    } catch (const std::exception& e) {
      closed = "the " + l.calendar + " calendar cannot tell whether the market is open at " + r.now.to_iso8601() + ": " + e.what();
    }
    if (!closed.empty()) return refused(deny::kMarketClosed, closed);
  }
  // 5. order size
  if (in.quantity > l.max_order_quantity)
    return refused(deny::kOrderQuantity,
                   "expected quantity <= " + l.max_order_quantity.to_string() + ", was " +
                       in.quantity.to_string());
  // 6. a fresh, positive reference price (last trade or bar close)
  const std::optional<ReferencePrice>& ref = facts.reference;
  if (!ref || !ref->price.is_positive())
    return refused(deny::kNoReferencePrice,
                   "expected a positive reference price for " + in.symbol.str() + ", was " +
                       (ref ? ref->price.to_string() : std::string("none")));
  // Older than the limit to the nanosecond (in whole seconds, 1.99 s passed a limit of 1).
  if (ref->ts < seconds_before(r.now, l.max_reference_age_seconds))
    return refused(deny::kStaleReferencePrice, "expected a reference price at most " +
                                                   std::to_string(l.max_reference_age_seconds) +
                                                   " s old for " + in.symbol.str() + ", was " +
                                                   seconds_text(ref->ts, r.now) + " s old");
  const Decimal order_price = in.limit_price ? *in.limit_price : in.stop_price ? *in.stop_price : ref->price;
  const Decimal notional = in.quantity * order_price;
  if (notional > l.max_order_notional)
    return refused(deny::kOrderNotional,
                   "expected notional <= " + l.max_order_notional.to_string() + ", was " +
                       notional.to_string());
  // 7. price collar around the reference
  const Decimal hundred = Decimal::from_int(100);
  for (const auto& p : {in.limit_price, in.stop_price}) {
    if (!p) continue;
    const Decimal distance_pct = (*p - ref->price).abs() * hundred / ref->price;
    if (distance_pct > l.price_collar_pct)
      return refused(deny::kPriceCollar,
                     "expected a price within " + l.price_collar_pct.to_string() +
                         " % of the reference " + ref->price.to_string() + ", was " +
                         p->to_string() + " (" + distance_pct.to_string() + " %)");
  }
  const AccountExposure x = view_->exposure(b);
  if (increases) {
    // 7b. the open orders' value must be known for the exposure and cash checks to mean anything
    if (x.unpriced_open_orders > 0)
      return refused(deny::kOpenOrderValueUnknown,
                     "expected every open order at this broker to have a value, " +
                         std::to_string(x.unpriced_open_orders) +
                         " market order(s) recovered at start-up have none until a bar of their "
                         "symbol arrives");
    // 8. position limits, open orders counted
    if (projected.abs() > l.max_position_quantity)
      return refused(deny::kPositionQuantity,
                     "expected a " + in.symbol.str() + " position of at most " +
                         l.max_position_quantity.to_string() + " (open orders included), was " +
                         projected.abs().to_string());
    const Decimal position_notional = projected.abs() * ref->price;
    if (position_notional > l.max_position_notional)
      return refused(deny::kPositionNotional,
                     "expected a " + in.symbol.str() + " position worth at most " +
                         l.max_position_notional.to_string() + " (open orders included), was " +
                         position_notional.to_string());
    // 9. gross exposure as a share of equity
    const Decimal gross = x.gross_position_notional + x.open_order_notional + notional;
    const Decimal allowed = x.equity.is_positive() ? x.equity * l.max_gross_exposure_pct / hundred : Decimal{};
    if (gross > allowed)
      return refused(deny::kGrossExposure,
                     "expected gross exposure <= " + l.max_gross_exposure_pct.to_string() +
                         " % of equity (" + allowed.to_string() + "), was " + gross.to_string());
    // 10. simultaneous positions
    const bool new_symbol = position.is_zero() && open.buy.is_zero() && open.sell.is_zero();
    if (new_symbol && x.positions >= static_cast<std::size_t>(l.max_positions))
      return refused(deny::kMaxPositions, "expected at most " + std::to_string(l.max_positions) +
                                              " positions, this would be " +
                                              std::to_string(x.positions + 1));
  }
  // 11. open orders
  if (x.open_orders >= static_cast<std::size_t>(l.max_open_orders))
    return refused(deny::kMaxOpenOrders, "expected at most " + std::to_string(l.max_open_orders) +
                                             " open orders, this would be " +
                                             std::to_string(x.open_orders + 1));
  // 12. buying power: cash minus what open buys already committed. Not for a buy that covers
  // a short: refusing it for want of cash would keep the short open (its sale's proceeds are in
  // the cash, and a squeeze can make the cover cost more than they were).
  if (in.side == sdk::Side::Buy && increases && x.open_buy_notional + notional > x.cash)
    return refused(deny::kBuyingPower, "expected order value <= available cash " +
                                           (x.cash - x.open_buy_notional).to_string() +
                                           " (cash minus open buys), was " + notional.to_string());
  // 13. order-rate throttles (every approved attempt consumes a token; cancels never do)
  if (!strategy_buckets_[r.strategy_index].try_take(r.now))
    return refused(deny::kStrategyRate,
                   "expected at most " + std::to_string(l.max_orders_per_minute) +
                       " orders per minute (burst " + std::to_string(l.order_burst) +
                       ") from strategy " + r.strategy_id);
  if (!broker_buckets_[b].try_take(r.now))
    return refused(deny::kBrokerRate, "expected at most " +
                                          std::to_string(broker_buckets_[b].per_minute()) +
                                          " orders per minute to this broker");
  // 14. duplicate guard: same symbol, side, quantity and prices within the window
  RecentOrders& recent = recent_[b];
  recent.expire_before(seconds_before(r.now, broker_duplicate_window_[b]).ns);
  const std::int64_t own_cutoff = seconds_before(r.now, l.duplicate_window_seconds).ns;
  for (std::size_t i = recent.first; i < recent.orders.size(); ++i) {
    const RecentOrder& o = recent.orders[i];
    if (o.ts.ns >= own_cutoff && o.symbol == in.symbol && o.side == in.side &&
        o.quantity == in.quantity && o.limit == in.limit_price && o.stop == in.stop_price)
      return refused(deny::kDuplicateOrder,
                     "an identical " + std::string(sdk::to_string(in.side)) + " " +
                         in.quantity.to_string() + " " + in.symbol.str() + " order was approved " +
                         std::to_string(whole_seconds_between(o.ts, r.now)) + " s ago (window " +
                         std::to_string(l.duplicate_window_seconds) + " s)");
  }
  // Filled field by field in place: a braced temporary copied in (as a ring's push_back takes it)
  // stalls on store forwarding, being built and read back in differently sized pieces: some 13 ns
  // per order.
  RecentOrder& added = recent.append();
  added.ts = r.now;
  added.symbol = in.symbol;
  added.side = in.side;
  added.quantity = in.quantity;
  added.limit = in.limit_price;
  added.stop = in.stop_price;
  reference = ref->price;
  return std::nullopt;
}

void RiskGate::RecentOrders::expire_before(std::int64_t cutoff_ns) {
  while (first < orders.size() && orders[first].ts.ns < cutoff_ns) ++first;
  if (first == orders.size()) {  // all expired: start over at the front (capacity kept)
    orders.clear();
    first = 0;
  }
}

RiskGate::RecentOrder& RiskGate::RecentOrders::append() {
  // When full, the expired ones make room if they are at least half of it; else it grows. A
  // compaction moves fewer entries than were added since the last one: O(1) per order.
  if (orders.size() == orders.capacity() && first > 0 && first >= orders.size() / 2) {
    orders.erase(orders.begin(), orders.begin() + static_cast<std::ptrdiff_t>(first));
    first = 0;
  }
  return orders.emplace_back();
}

std::optional<StateChange> RiskGate::set_state(TradingState to, std::string reason) {
  if (to == state_) return std::nullopt;
  forget_quiet();
  StateChange change{state_, to, reason, std::nullopt};
  state_ = to;
  state_reason_ = std::move(reason);
  if (to != TradingState::Reducing) reducing_for_daily_loss_ = false;
  changed_ = true;
  return change;
}

std::optional<StateChange> RiskGate::hold_reducing(std::string reason) {
  if (state_ != TradingState::Reducing) return std::nullopt;
  forget_quiet();
  state_reason_ = reason;  // the kernel ends a stale-data REDUCING by its reason
  reducing_for_daily_loss_ = false;
  changed_ = true;
  return StateChange{state_, state_, std::move(reason), std::nullopt};
}

std::optional<StateChange> RiskGate::resume(std::string reason) {
  auto change = set_state(TradingState::Active, std::move(reason));
  forget_quiet();
  if (change) {
    peak_equity_ = last_equity_.value_or(Decimal{});
    if (last_equity_) day_start_equity_ = *last_equity_;
    rearm_pending_ = true;
    drawdown_tripped_ = false;
  }
  return change;
}

Decimal RiskGate::daily_pnl_pct() const {
  if (!last_equity_ || !day_start_equity_.is_positive()) return {};
  return -loss_pct(day_start_equity_, *last_equity_);  // a gain is a negative loss
}

PersistedRiskState RiskGate::snapshot() const {
  PersistedRiskState s;
  s.state = std::string(to_string(state_));
  s.reason = state_reason_;
  s.day = day_;
  s.day_start_equity = day_start_equity_;
  s.last_equity = last_whole_equity_ ? last_whole_equity_ : last_equity_;
  s.peak_equity = peak_equity_;
  s.reducing_for_daily_loss = reducing_for_daily_loss_;
  s.rearm_pending = rearm_pending_;
  s.drawdown_tripped = drawdown_tripped_;
  return s;
}

void RiskGate::restore(const PersistedRiskState& saved) {
  state_ = saved.state == "HALTED" ? TradingState::Halted : saved.state == "REDUCING" ? TradingState::Reducing : TradingState::Active;
  state_reason_ = saved.reason;
  day_ = saved.day;
  day_of_.reset();
  forget_quiet();
  day_start_equity_ = saved.day_start_equity;
  last_equity_ = saved.last_equity;
  last_whole_equity_ = saved.last_equity;
  peak_equity_ = saved.peak_equity;
  reducing_for_daily_loss_ = saved.reducing_for_daily_loss;
  rearm_pending_ = saved.rearm_pending;
  // Only a HALTED can hold a tripped breaker (a hand-edited file must not switch it off).
  drawdown_tripped_ = saved.drawdown_tripped && state_ == TradingState::Halted;
}

// An equity at or above which `reference` has lost no more than `max_pct`: the exact bound less
// what the product and quotient may have rounded away, plus a margin of two units of the last
// place. Above it a breaker's percentage (a 128-bit division, every bar) need not be worked out.
// Where the product does not fit a decimal, the reference itself: every loss is worked out.
Decimal LossFloor::of(Decimal reference, Decimal max_pct) {
  if (reference_ == reference) return floor_;
  reference_ = reference;
  try {
    floor_ = reference - reference * max_pct / Decimal::from_int(100) + Decimal::from_raw(2);
  } catch (const sdk::DecimalError&) {
    floor_ = reference;
  }
  return floor_;
}

std::optional<StateChange> RiskGate::observe_partial_equity_slowly(Decimal equity,
                                                                   sdk::Timestamp now) {
  auto change = observe_equity(equity, now, false);
  // Without limits nothing is checked (nor remembered); while a resume's re-arm is pending, the
  // next whole time re-arms the breakers first.
  if (!has_limits_ || rearm_pending_) return change;
  // An equity at or above each armed limit's floor breaks none; within one trading day no day
  // starts. The day: a UTC day for the 24/7 calendar, else this time only (a session date is
  // the calendar's business).
  Decimal floor = Decimal::from_raw(INT64_MIN);
  if (!drawdown_tripped_ && peak_equity_.is_positive())
    floor = std::max(floor, drawdown_floor_.of(peak_equity_, config_.max_drawdown_pct));
  if (state_ == TradingState::Active && day_start_equity_.is_positive())
    floor = std::max(floor, daily_loss_floor_.of(day_start_equity_, config_.max_daily_loss_pct));
  quiet_floor_ = floor;
  constexpr std::int64_t kDay = sdk::Timestamp::kNanosPerDay;
  if (day_is_utc_ && now.ns > INT64_MIN + kDay && now.ns < INT64_MAX - kDay) {
    quiet_from_ = now.utc_day() * kDay;
    quiet_until_ = quiet_from_ + kDay;
  } else if (now.ns < INT64_MAX) {
    quiet_from_ = now.ns;
    quiet_until_ = now.ns + 1;
  } else {
    forget_quiet();
  }
  return change;
}

std::optional<StateChange> RiskGate::observe_equity(Decimal equity, sdk::Timestamp now,
                                                    bool whole_timestamp) {
  if (!has_limits_) return std::nullopt;
  std::int64_t day = day_;
  if (day_of_ != now) {  // once per time, not per symbol's bar
    day = now.utc_day();
    try {
      if (day_calendar_) day = day_calendar_->session_date(now).days_since_epoch();
    } catch (const std::exception&) {
      // outside the calendar's range: the UTC date is the day
    }
    day_of_ = now;
  }
  std::optional<StateChange> new_day;
  if (day > day_) {  // never back: a late bar of an earlier day must not start a day again
    forget_quiet();
    changed_ = true;
    day_ = day;
    day_start_equity_ = last_whole_equity_.value_or(last_equity_.value_or(equity));
    if (reducing_for_daily_loss_ && state_ == TradingState::Reducing) {
      reducing_for_daily_loss_ = false;
      new_day = set_state(TradingState::Active, "a new day: the daily-loss breaker resets");
    }
  }
  if (rearm_pending_) {
    forget_quiet();
    // Measured from the references of before the resume, the loss that tripped a breaker would
    // trip it again: no check until a whole time's equity re-arms them.
    if (!whole_timestamp) {
      last_equity_ = equity;
      return new_day;
    }
    // The first equity after a resume is the new reference (the restart may have changed it).
    rearm_pending_ = false;
    peak_equity_ = equity;
    day_start_equity_ = equity;
    changed_ = true;
  }
  last_equity_ = equity;
  if (whole_timestamp) last_whole_equity_ = equity;
  if (whole_timestamp && equity > peak_equity_) {
    forget_quiet();
    peak_equity_ = equity;
    changed_ = true;
  }
  // At or above a reference's floor its limit cannot be broken: skip the 128-bit divisions.
  // Also while HALTED for another cause (a full journal, a faulted broker, an operator's halt):
  // positions stay open then, and the loss still calls for the drawdown action.
  if (!drawdown_tripped_ && peak_equity_.is_positive() && equity < peak_equity_ &&
      equity < drawdown_floor_.of(peak_equity_, config_.max_drawdown_pct)) {
    const Decimal drawdown_pct = loss_pct(peak_equity_, equity);
    if (drawdown_pct > config_.max_drawdown_pct) {
      drawdown_tripped_ = true;
      reducing_for_daily_loss_ = false;
      std::string why = "drawdown " + drawdown_pct.to_string() + " % from peak equity " +
                        peak_equity_.to_string() + " exceeds max_drawdown_pct " +
                        config_.max_drawdown_pct.to_string();
      std::optional<StateChange> change;
      forget_quiet();
      if (state_ == TradingState::Halted) {  // HALTED already: its action still runs
        why += " (HALTED before: " + state_reason_ + ")";
        change = StateChange{state_, state_, why, std::nullopt};
        state_reason_ = std::move(why);
        changed_ = true;
      } else {
        change = set_state(TradingState::Halted, std::move(why));
      }
      change->action = config_.drawdown_action;
      return change;
    }
  }
  if (state_ == TradingState::Active && day_start_equity_.is_positive() &&
      equity < day_start_equity_ &&
      equity < daily_loss_floor_.of(day_start_equity_, config_.max_daily_loss_pct)) {
    const Decimal daily_loss_pct = loss_pct(day_start_equity_, equity);
    if (daily_loss_pct > config_.max_daily_loss_pct) {
      reducing_for_daily_loss_ = true;
      return set_state(TradingState::Reducing,
                       "daily loss " + daily_loss_pct.to_string() +
                           " % of the day's starting equity " + day_start_equity_.to_string() +
                           " exceeds max_daily_loss_pct " + config_.max_daily_loss_pct.to_string());
    }
  }
  return new_day;
}

}  // namespace mercurio::kernel
