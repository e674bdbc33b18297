#pragma once
// The single gate every order passes before any broker sees it, and the only code that can
// make an sdk::ApprovedOrder. It owns the trading state (ACTIVE / REDUCING / HALTED) and runs the
// pre-trade checks in a fixed, documented order; the first failing check is the denial.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calendar/market_calendar.hpp"
#include "exec/open_quantities.hpp"
#include "mercurio/sdk/approved_order.hpp"
#include "risk/risk_limits.hpp"
#include "risk/risk_state_store.hpp"
#include "risk/token_bucket.hpp"

namespace mercurio::kernel {

/// Stable denial codes (alerts, journal and tests rely on them).
namespace deny {
inline constexpr const char* kHalted = "HALTED";
inline constexpr const char* kReducingOnly = "REDUCING_ONLY";
inline constexpr const char* kStrategyDisabled = "STRATEGY_DISABLED";
inline constexpr const char* kBrokerUnavailable = "BROKER_UNAVAILABLE";
inline constexpr const char* kInvalidSymbol = "INVALID_SYMBOL";
inline constexpr const char* kInvalidTag = "INVALID_TAG";
inline constexpr const char* kInvalidQuantity = "INVALID_QUANTITY";
inline constexpr const char* kMissingLimitPrice = "MISSING_LIMIT_PRICE";
inline constexpr const char* kUnexpectedLimitPrice = "UNEXPECTED_LIMIT_PRICE";
inline constexpr const char* kMissingStopPrice = "MISSING_STOP_PRICE";
inline constexpr const char* kUnexpectedStopPrice = "UNEXPECTED_STOP_PRICE";
inline constexpr const char* kInvalidPrice = "INVALID_PRICE";
inline constexpr const char* kSymbolNotAllowed = "SYMBOL_NOT_ALLOWED";
inline constexpr const char* kSymbolDenied = "SYMBOL_DENIED";
inline constexpr const char* kOrderQuantity = "ORDER_QUANTITY_LIMIT";
inline constexpr const char* kNoReferencePrice = "NO_REFERENCE_PRICE";
inline constexpr const char* kStaleReferencePrice = "STALE_REFERENCE_PRICE";
inline constexpr const char* kOrderNotional = "ORDER_NOTIONAL_LIMIT";
inline constexpr const char* kPriceCollar = "PRICE_COLLAR";
inline constexpr const char* kPositionQuantity = "POSITION_QUANTITY_LIMIT";
inline constexpr const char* kPositionNotional = "POSITION_NOTIONAL_LIMIT";
inline constexpr const char* kGrossExposure = "GROSS_EXPOSURE_LIMIT";
inline constexpr const char* kMaxPositions = "MAX_POSITIONS";
inline constexpr const char* kMaxOpenOrders = "MAX_OPEN_ORDERS";
inline constexpr const char* kBuyingPower = "BUYING_POWER";
inline constexpr const char* kOpenOrderValueUnknown = "OPEN_ORDER_VALUE_UNKNOWN";
inline constexpr const char* kStrategyRate = "STRATEGY_ORDER_RATE";
inline constexpr const char* kBrokerRate = "BROKER_ORDER_RATE";
inline constexpr const char* kDuplicateOrder = "DUPLICATE_ORDER";
inline constexpr const char* kMarketClosed = "MARKET_CLOSED";
}  // namespace deny

enum class TradingState { Active, Reducing, Halted };
std::string_view to_string(TradingState state) noexcept;

struct ReferencePrice {
  sdk::Decimal price;
  sdk::Timestamp ts;
};

/// One account's exposure as the gate needs it, open orders counted at the moment they were sent.
struct AccountExposure {
  sdk::Decimal cash;
  sdk::Decimal equity;
  sdk::Decimal gross_position_notional;  // sum of |quantity| x reference over positions
  sdk::Decimal open_order_notional;      // sum of remaining quantity x order price over open orders
  sdk::Decimal open_buy_notional;        // the same, buys only
  std::size_t open_orders = 0;
  std::size_t positions = 0;             // non-flat symbols, plus symbols with only open orders
  std::size_t unpriced_open_orders = 0;  // open orders of unknown value (not in the sums above)
};

/// What the gate needs to know about one symbol at one broker.
struct SymbolExposure {
  sdk::Decimal position;                    // the account's, signed
  OpenQuantities open;                      // remaining quantities of open orders, both sides
  std::optional<ReferencePrice> reference;  // last trade or bar close, when there is one
};

/// Read-only facts the gate asks the kernel for (the portfolio and the order tracker). The order's
/// own symbol comes with the request: the kernel has looked it up once for the whole order.
class RiskView {
 public:
  virtual ~RiskView() = default;
  virtual AccountExposure exposure(std::size_t broker) const = 0;
};

struct RiskDecision {
  std::optional<sdk::ApprovedOrder> approved;
  std::string reason;   // a deny:: code when denied
  std::string message;  // "expected X, was Y"
  /// Approved after the limit checks: the reference price they used (the kernel reserves an
  /// order's value at it without asking again). Unset when no limit check ran.
  std::optional<sdk::Decimal> reference_price;
};

struct RiskRequest {
  const sdk::OrderIntent& intent;
  const sdk::ClientOrderId& id;
  const std::string& strategy_id;
  std::size_t strategy_index;
  std::size_t broker_index;
  bool strategy_enabled;
  bool broker_available;
  sdk::Timestamp now;
  /// The order's symbol at its broker when the order is checked: the account's position, open
  /// orders and reference price, all at once (one lookup per order, not one per fact).
  SymbolExposure symbol;
  /// The kernel's own flattening (drawdown breaker, operator flatten): allowed in any trading state
  /// and past the limits, but still well formed and only to an available broker.
  bool liquidation = false;
  /// The kernel checked the symbol's text (symbol_text_problem) when a strategy subscribed to it:
  /// the gate does not check it again on every order.
  bool symbol_text_checked = false;
};

/// A trading-state change, for the kernel to alert, record and act on.
struct StateChange {
  TradingState from;
  TradingState to;
  std::string reason;
  std::optional<DrawdownAction> action;  // set when the drawdown breaker tripped
};

/// The equity below which a breaker's loss must be worked out, cached for its reference (the peak
/// or the day's start changes far less often than the equity is checked).
class LossFloor {
 public:
  sdk::Decimal of(sdk::Decimal reference, sdk::Decimal max_pct);

 private:
  std::optional<sdk::Decimal> reference_;
  sdk::Decimal floor_;
};

class RiskGate {
 public:
  /// Without limits (unit tests of the intent checks only): every limit check passes.
  RiskGate() = default;
  /// `strategy_limits[i]` are the effective limits of strategy i; `strategy_broker[i]` its broker;
  /// `broker_limits[b]` broker b's own ([risk] with its [plugin.risk]: its order rate).
  RiskGate(RiskConfig config, std::vector<EffectiveLimits> strategy_limits,
           std::vector<std::size_t> strategy_broker, std::vector<EffectiveLimits> broker_limits,
           const RiskView* view);

  /// Checks run in the order of the README's table; the first failure is the denial.
  RiskDecision check(const RiskRequest& request);

  TradingState state() const noexcept { return state_; }
  /// Today's P&L as a percentage of the day's starting equity (0 before any equity was seen).
  sdk::Decimal daily_pnl_pct() const;
  /// Feeds the account-wide equity after each bar's marks, before any strategy trades on the bar
  /// (so a bar that breaks a limit stops that bar's orders); returns a change when a breaker trips.
  /// `whole_timestamp`: every symbol's bar of `now` is marked. Only such an equity can set a new
  /// peak: between two symbols' bars of one time the equity mixes new closes with old ones, a sum
  /// no moment had (a partial one is still checked against the limits). The daily-loss reference is
  /// the equity at the start of the trading day - the session date of the [risk] calendar (for
  /// 24/7: the UTC date; the UTC date too where the calendar cannot tell) - i.e. the last equity
  /// seen before it. REDUCING caused by the daily loss ends at the next session date, HALTED only
  /// by an operator.
  std::optional<StateChange> observe_equity(sdk::Decimal equity, sdk::Timestamp now,
                                            bool whole_timestamp = true);
  /// observe_equity of an equity of part of a time's marks (every bar), with the common case
  /// inline: the same trading day as the last look and an equity at or above every limit's floor,
  /// where there is nothing to do but remember it.
  std::optional<StateChange> observe_partial_equity(sdk::Decimal equity, sdk::Timestamp now) {
    if (now.ns >= quiet_from_ && now.ns < quiet_until_ && equity >= quiet_floor_) {
      last_equity_ = equity;
      return std::nullopt;
    }
    return observe_partial_equity_slowly(equity, now);
  }
  /// Operator or failsafe action. Leaving HALTED is only ever done this way.
  std::optional<StateChange> set_state(TradingState to, std::string reason);
  /// A REDUCING in force for a cause that ends by itself (the daily loss at the next day, stale
  /// data once bars flow) is held for `reason` instead, a cause only an operator ends (a broker
  /// anomaly): a change from REDUCING to REDUCING. None, changing nothing, unless REDUCING.
  std::optional<StateChange> hold_reducing(std::string reason);
  const std::string& state_reason() const noexcept { return state_reason_; }
  /// An operator's resume: back to ACTIVE, and the breakers re-armed from the current equity
  /// (peak and day start), so the loss that tripped them does not trip them again at once.
  std::optional<StateChange> resume(std::string reason);

  /// What must survive a restart (state, breakers' references); and putting it back.
  PersistedRiskState snapshot() const;
  void restore(const PersistedRiskState& saved);
  /// True once after anything in snapshot() changed.
  bool take_changed() noexcept {
    const bool c = changed_;
    changed_ = false;
    return c;
  }

 private:
  // A denial's code and message. The checks return one (or nothing) instead of a whole
  // RiskDecision: check() then returns the single decision it built in the caller's place.
  // Decisions returned from several places are moved (GCC elides only one named return value), and
  // moving one that holds an approved order costs more than the rest of the check.
  struct Refusal {
    const char* reason;  // a deny:: code
    std::string message;
  };
  static std::optional<Refusal> refused(const char* reason, std::string message) {
    return Refusal{reason, std::move(message)};
  }
  // 1. and 2.: the trading state and a well-formed intent.
  std::optional<Refusal> state_or_form_refusal(const RiskRequest& r) const;
  // The limits; when they pass, `reference` is the reference price they used.
  std::optional<Refusal> limits_refusal(const RiskRequest& r, const EffectiveLimits& limits,
                                        sdk::Decimal& reference);
  // limits_refusal() with the strategy's limits, an out-of-range value denied instead of thrown.
  std::optional<Refusal> checked_limits(const RiskRequest& r, sdk::Decimal& reference);

  bool has_limits_ = false;
  RiskConfig config_;
  std::vector<EffectiveLimits> limits_;
  std::vector<std::shared_ptr<const MarketCalendar>> calendars_;  // per strategy
  std::shared_ptr<const MarketCalendar> day_calendar_;            // [risk] calendar: what "a day" is
  std::vector<std::size_t> strategy_broker_;
  const RiskView* view_ = nullptr;
  TradingState state_ = TradingState::Active;
  std::string state_reason_ = "start";
  bool changed_ = false;
  std::vector<TokenBucket> strategy_buckets_;
  std::vector<TokenBucket> broker_buckets_;
  // Per broker: the longest duplicate window of its strategies. Its orders are remembered that long
  // (one strategy's shorter window must not forget what another's longer one still checks).
  std::vector<std::int64_t> broker_duplicate_window_;
  struct RecentOrder {
    sdk::Timestamp ts;
    sdk::Symbol symbol;
    sdk::Side side;
    sdk::Decimal quantity;
    std::optional<sdk::Decimal> limit, stop;
  };
  // Per broker, for the duplicate guard: the orders approved within the window, oldest first, from
  // `first` on (the ones before it have expired). Emptied when all have expired, compacted when it
  // would grow otherwise, never shrunk: the steady state allocates nothing on the order path.
  struct RecentOrders {
    // Skips the orders approved before `cutoff_ns`: those held are then [first, orders.size()).
    void expire_before(std::int64_t cutoff_ns);
    // A default-made entry at the back, for the caller to fill in place.
    RecentOrder& append();

    std::vector<RecentOrder> orders;
    std::size_t first = 0;
  };
  std::vector<RecentOrders> recent_;
  std::int64_t day_ = INT64_MIN;
  std::optional<sdk::Timestamp> day_of_;  // the time `day_` was worked out for (bars of one time)
  bool day_is_utc_ = false;  // the [risk] calendar's day is the UTC date (24/7)
  // Where observe_partial_equity has nothing to do: times of the same trading day, equities at or
  // above every armed limit's floor. Emptied by anything that changes the state or a reference.
  std::int64_t quiet_from_ = 0, quiet_until_ = 0;
  sdk::Decimal quiet_floor_;
  std::optional<StateChange> observe_partial_equity_slowly(sdk::Decimal equity, sdk::Timestamp now);
  void forget_quiet() noexcept { quiet_until_ = quiet_from_; }
  std::optional<sdk::Decimal> last_equity_;
  std::optional<sdk::Decimal> last_whole_equity_;  // of a whole time: a day's start, what is saved
  sdk::Decimal day_start_equity_;
  bool reducing_for_daily_loss_ = false;
  bool rearm_pending_ = false;
  sdk::Decimal peak_equity_;
  LossFloor drawdown_floor_;    // of peak_equity_
  bool drawdown_tripped_ =
      false;                    // until an operator resumes: checked while HALTED for another cause
  LossFloor daily_loss_floor_;  // of day_start_equity_
};

}  // namespace mercurio::kernel
