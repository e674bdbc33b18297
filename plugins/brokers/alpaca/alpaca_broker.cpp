#include "alpaca_broker.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>
#include <utility>

namespace mercurio::brokers::alpaca {

using sdk::Status;
using sdk::StatusCode;

namespace {
AlpacaSettings settings_or_throw(const sdk::ConfigView& config) {
  auto s = parse_settings(config);
  if (!s) throw std::invalid_argument(s.status().message());
  return std::move(*s);
}
// Fills are re-read with this overlap: the order book drops what was already reported.
constexpr std::int64_t kWatermarkOverlapNs = 5 * sdk::Timestamp::kNanosPerSecond;
}  // namespace

AlpacaBroker::AlpacaBroker(const sdk::ConfigView& config) : AlpacaBroker(settings_or_throw(config)) {}

AlpacaBroker::AlpacaBroker(AlpacaSettings settings) : settings_(std::move(settings)) {
  auto rest = AlpacaRest::create(settings_);
  if (!rest) throw std::invalid_argument("plugin '" + settings_.plugin_id + "': " + rest.status().message());
  rest_ = std::move(*rest);
}

AlpacaBroker::~AlpacaBroker() { stop(); }

Status AlpacaBroker::require_started(std::string_view call) const {
  if (sink_ == nullptr)
    return Status(StatusCode::Unavailable, "alpaca: " + std::string(call) + " before start()");
  return {};
}

Status AlpacaBroker::require_trading(std::string_view call) const {
  if (!settings_.trading)
    return Status(StatusCode::InvalidArgument, "alpaca: " + std::string(call) + " refused: plugin '" + settings_.plugin_id +
                                                   "' is configured for market data only (trading = false)");
  return {};
}

Status AlpacaBroker::start(sdk::BrokerSink& sink) {
  if (sink_ != nullptr) return Status(StatusCode::Rejected, "alpaca: already started");
  if (settings_.environment == "live" && settings_.kernel_mode != sdk::RunMode::Live) {
    // parse_settings refuses this already; settings built by hand must not get round it.
    return Status(StatusCode::Rejected,
                  "alpaca: environment \"live\" is refused: it requires the kernel's mode to be live (fail closed)");
  }
  if (const auto hosts = account_host_errors(settings_); !hosts.empty())
    return Status(StatusCode::Rejected, "alpaca: " + hosts.front() + " (fail closed)");
  if (!settings_.trading) {
    // Market data only: no Trading API request, no trade_updates stream; only the bar poller runs.
    // Credentials are checked by the first history/bars request.
    sink_ = &sink;
    {
      std::lock_guard lock(poller_mutex_);
      stopping_ = false;
    }
    poller_ = std::thread([this] { poller(); });
    sink.logger().info("alpaca: started for market data only (" + settings_.data_url.to_string() + ", feed " +
                       settings_.data_feed + ")");
    return {};
  }
  // Credentials and connectivity are checked before anything runs.
  auto account = rest_->account();
  if (!account) return Status(account.status().code(), "alpaca: start: " + account.status().message());
  if (auto clock = clock_check(); !clock)
    return Status(clock.code(), "alpaca: start: " + clock.message() + ": not started");
  std::vector<std::string> foreign;  // another program's orders: never Mercurio's to track
  auto open = rest_->open_venue_orders(AlpacaRest::Skip::Foreign, foreign);
  if (!open) return Status(open.status().code(), "alpaca: start: " + open.status().message());
  for (const auto& f : foreign)
    sink.logger().warn("alpaca: start: an open order no Mercurio order can be is skipped: " + f);

  sink_ = &sink;
  {
    std::lock_guard lock(book_mutex_);
    // Orders already working at Alpaca: tracked so their news reaches the kernel; their state so
    // far is the start-up reconciliation's business.
    for (const auto& order : *open)
      apply(order.report.client_order_id, "open order at start-up", [&] {
        book_.adopt(order);
        return OrderBook::Output{};
      });
    fill_watermark_ = sink.now();
  }
  {
    std::lock_guard lock(poller_mutex_);
    stopping_ = false;
  }
  if (settings_.use_stream) {
    TradeStream::Callbacks cb;
    cb.on_trade_update = [this](const JsonObject& data) {
      guarded("trade update", [&] { on_trade_update(data); });
    };
    cb.on_subscribed = [this] { guarded("gap-fill", [this] { gap_fill("stream subscribed"); }); };
    cb.on_down = [this](const std::string& why) {
      sink_->logger().warn("alpaca: order updates stream down (" + why + "); polling REST until it is back");
      poller_cv_.notify_all();
    };
    cb.on_auth_failed = [this](const Status& s) { sink_->on_fault(s); };
    stream_ = std::make_unique<TradeStream>(settings_, std::move(cb), sink.logger(),
                                            rest_->tls_context());
    stream_->start();
  }
  poller_ = std::thread([this] { poller(); });
  sink.logger().info("alpaca: started (" + settings_.environment + ", " + settings_.trading_url.to_string() +
                     ", stream " + (settings_.use_stream ? settings_.stream_url.to_string() : "off") + ")");
  return {};
}

void AlpacaBroker::stop() {
  if (stream_) stream_->stop();
  {
    std::lock_guard lock(poller_mutex_);
    stopping_ = true;
  }
  poller_cv_.notify_all();
  if (poller_.joinable()) poller_.join();
  stream_.reset();
  sink_ = nullptr;
}

void AlpacaBroker::deliver(const OrderBook::Output& out) {
  // Called with book_mutex_ held, so events reach the kernel in the order the book made them.
  for (const auto& ev : out.events) sink_->on_order_event(ev);
  for (const auto& [symbol, status] : out.anomalies) {
    sink_->logger().error(status.message());
    sink_->on_anomaly(symbol, status);
  }
}

void AlpacaBroker::apply(const sdk::ClientOrderId& id, const std::string& what,
                         const std::function<OrderBook::Output()>& update) {
  OrderBook::Output out;
  try {
    out = update();
  } catch (const std::exception& e) {
    // One order's news, not the plugin's state: the order's fills stay as they were, the next
    // poll reads the same again (still one anomaly), and every other order goes on.
    out = book_.on_unknown_status(
        id, Status(StatusCode::Internal, "alpaca: order " + id.str() + ": " + what +
                                             " cannot be applied (" + e.what() +
                                             "); its fills stay as last reported"));
  }
  deliver(out);
}

void AlpacaBroker::guarded(const char* step, const std::function<void()>& fn) noexcept {
  const auto fault = [&](const std::string& why) {
    const Status s(StatusCode::Internal, std::string("alpaca: ") + step + " failed: " + why +
                                             " (this plugin's order state is in doubt)");
    sink_->logger().error(s.message());  // every failure, so a later, different one is seen too
    if (!faulted_.exchange(true)) sink_->on_fault(s);  // the kernel halts on the first
  };
  try {
    try {
      fn();
    } catch (const std::exception& e) {
      fault(e.what());
    } catch (...) {
      fault("an exception that is not a std::exception");
    }
  } catch (...) {
    // Not even the fault could be reported (the sink threw): nothing is left to tell.
  }
}

Status AlpacaBroker::screen_unreadable(const std::vector<UnreadableActivity>& unreadable) {
  Status first;
  for (const auto& u : unreadable) {
    std::string why = u.status.message();
    if (why.rfind("alpaca: ", 0) == 0) why.erase(0, 8);
    const auto ours =
        u.venue_order_id.empty() ? std::nullopt : book_.client_id_of(u.venue_order_id);
    if (!u.venue_order_id.empty() && !ours) {
      // Not an order this run tracks (placed outside Mercurio, or final before this run started):
      // nothing to report on it, and failing would hold up every other order's fills. A Mercurio
      // order left out here still differs at start-up, in its own state and in the positions.
      if (skipped_activities_.insert(u.activity_id + "|" + u.venue_order_id).second)
        sink_->logger().warn("alpaca: skipped " + why + " (order " + u.venue_order_id +
                             ", not tracked by this plugin)");
      continue;
    }
    // Ours, or nobody can tell: skipping it would lose a fill, or report its quantity later at
    // another fill's price. Fail closed.
    const Status s(
        StatusCode::Internal,
        "alpaca: " + why +
            (ours ? " (order " + ours->str() + ": no fill activity is applied until it can be read)"
                  : std::string(" (no order id: whose fill it is cannot be told)")));
    if (ours) {
      deliver(book_.on_unknown_status(*ours, s));
    } else if (unattributed_activities_.insert(u.activity_id).second) {
      // A fill nobody can own: the account moved in a way this plugin cannot report. Once.
      sink_->logger().error(s.message());
      sink_->on_fault(s);
    }
    if (first.is_ok()) first = s;
  }
  return first;
}

void AlpacaBroker::on_trade_update(const JsonObject& data) {
  auto update = parse_trade_update(data);
  if (!update) {
    sink_->logger().error("alpaca: unreadable trade update: " + update.status().message());
    return;
  }
  std::lock_guard lock(book_mutex_);
  apply(update->order.client_order_id, "trade update \"" + update->event + "\"",
        [&] { return book_.on_trade_update(*update); });
}

void AlpacaBroker::gap_fill(const char* why) {
  std::lock_guard gap(gap_mutex_);
  sdk::Timestamp since;
  std::vector<sdk::ClientOrderId> open;
  {
    std::lock_guard lock(book_mutex_);
    since = sdk::Timestamp{fill_watermark_.ns - kWatermarkOverlapNs};
    open = book_.open_ids();
  }
  if (open.empty()) {
    ++gap_fills_;
    return;
  }
  // 1. Exact fills (per-fill price and quantity) from the activities API.
  auto activities = rest_->fills_since(since);
  bool read = false;
  {
    std::lock_guard lock(book_mutex_);
    Status s = activities ? screen_unreadable(activities->unreadable) : activities.status();
    if (!s) {
      // None applied, the watermark kept: they are read again at the next poll.
      sink_->logger().warn(std::string("alpaca: gap-fill (") + why + "): " + s.message());
    } else {
      read = true;
      for (const auto& f : activities->fills) {
        apply(book_.client_id_of(f.venue_order_id).value_or(sdk::ClientOrderId()),
              "fill activity " + f.activity_id, [&] { return book_.on_fill_activity(f); });
        fill_watermark_ = std::max(fill_watermark_, f.event.ts);
      }
    }
  }
  // 2. Each open order's state (cancels, expiries, rejections, fills the activities lag behind),
  // also when step 1 failed: a cancel or a fill must not wait for the activities API to heal.
  // One request lists the orders Alpaca still has open, with their state; only those it no longer
  // lists (ended since, or not placed yet) are asked for one by one. A poll then costs a few
  // requests however many orders are open, and does not take the budget order entry needs.
  std::map<std::string, VenueOrder, std::less<>> listed;  // by client order id
  std::vector<std::string> unreadable;  // entries skipped: ours among them are asked for alone
  auto venue_open = rest_->open_venue_orders(AlpacaRest::Skip::Unreadable, unreadable);
  if (venue_open) {
    for (auto& o : *venue_open) listed.emplace(o.report.client_order_id.str(), std::move(o));
    open_list_failure_noted_ = false;
    for (auto& u : unreadable)
      if (unreadable_listed_.insert(u).second)
        sink_->logger().warn(std::string("alpaca: gap-fill (") + why +
                             "): an open order in the list is skipped: " + u);
  } else if (venue_open.status().code() == StatusCode::Unavailable) {
    // Rate limited, Alpaca failing, no answer: asking for each order alone would only cost more
    // of the same. The next poll tries again.
    if (!std::exchange(open_list_failure_noted_, true))
      sink_->logger().warn(std::string("alpaca: gap-fill (") + why +
                           "): " + venue_open.status().message() +
                           "; the open orders are read at the next polls");
    return;
  } else if (!std::exchange(open_list_failure_noted_, true)) {
    sink_->logger().warn(std::string("alpaca: gap-fill (") + why + "): " +
                         venue_open.status().message() + "; each open order is asked for alone");
  }
  for (const auto& id : open) {
    if (const auto it = listed.find(id.view()); it != listed.end()) {
      std::lock_guard lock(book_mutex_);
      apply(id, "snapshot", [&] { return book_.on_snapshot(it->second, sink_->now()); });
      continue;
    }
    auto snapshot = rest_->order_by_client_id(id);
    std::lock_guard lock(book_mutex_);
    if (snapshot) {
      apply(id, "snapshot", [&] { return book_.on_snapshot(*snapshot, sink_->now()); });
    } else if (snapshot.status().code() == StatusCode::Unknown) {
      deliver(book_.on_unknown_status(id, snapshot.status()));
    } else if (snapshot.status().code() != StatusCode::NotFound) {
      sink_->logger().warn(std::string("alpaca: gap-fill (") + why + "): " + snapshot.status().message());
    }
  }
  if (read) ++gap_fills_;
}

bool AlpacaBroker::wait_poller(std::chrono::milliseconds delay) {
  std::unique_lock lock(poller_mutex_);
  return !poller_cv_.wait_for(lock, delay, [&] { return stopping_; });
}

void AlpacaBroker::poller() {
  using Steady = std::chrono::steady_clock;
  auto next_orders = Steady::now() + settings_.order_poll_interval;
  auto next_sweep = Steady::now() + settings_.stream_sweep_interval;
  auto next_bars = Steady::now();
  const auto slice = std::min(settings_.order_poll_interval, settings_.bar_poll_interval);
  while (wait_poller(std::min(slice, std::chrono::milliseconds(200)))) {
    const auto now = Steady::now();
    if (now >= next_orders) {
      next_orders = now + settings_.order_poll_interval;
      // REST polling is the fallback: only while the stream is off or not subscribed.
      if (settings_.trading && (!settings_.use_stream || !stream_subscribed()))
        guarded("polling", [this] { gap_fill("polling"); });
    }
    if (now >= next_sweep) {
      // A subscribed stream can still lose news: a message it could not read, an event Alpaca
      // did not send. A slow sweep of the open orders finds it (polling covers the rest). The
      // next is timed from its end: a long sweep (many open orders) is not followed at once.
      if (settings_.trading && settings_.use_stream && stream_subscribed())
        guarded("sweep", [this] { gap_fill("sweep"); });
      next_sweep = Steady::now() + settings_.stream_sweep_interval;
    }
    if (now >= next_bars) {
      next_bars = now + settings_.bar_poll_interval;
      guarded("new bars", [this] { poll_bars(); });
    }
  }
}

void AlpacaBroker::poll_bars() {
  std::vector<sdk::Symbol> symbols;
  {
    std::lock_guard lock(poller_mutex_);
    symbols = bar_symbols_;
  }
  if (symbols.empty()) return;
  // While the Market Data API's budget is paused (a 429), a request would only wait out
  // request_timeout_ms on this thread, which also polls the orders when the stream is down.
  if (const auto paused = rest_->data_budget().paused_until();
      paused && *paused > common::RateBudget::Clock::now())
    return;
  const auto now = sink_->now();
  const std::int64_t period_ns = static_cast<std::int64_t>(settings_.bar_period.count()) * 1'000'000;
  sdk::Timestamp from{now.ns - 3 * period_ns};
  for (const auto& s : symbols) {
    auto it = last_bar_.find(s.str());
    if (it != last_bar_.end()) from = std::min(from, sdk::Timestamp{it->second.ns + period_ns});
  }
  auto bars = rest_->bars(symbols, from, now);
  if (!bars) {
    const std::string why = bars.status().message();  // a copy: status() may return a temporary
    // Refused credentials or a feed the plan does not include will not heal by polling: a fault
    // (reported once), like refused stream credentials. Other failures are retried at the next poll.
    const bool refused = bars.status().code() == StatusCode::Rejected &&
                         (why.find("HTTP 401") != std::string::npos || why.find("HTTP 403") != std::string::npos);
    if (refused && !bars_refused_.exchange(true)) sink_->on_fault(Status(StatusCode::Rejected, "alpaca: new bars: " + why));
    sink_->logger().warn("alpaca: new bars: " + why);
    return;
  }
  for (const auto& bar : *bars) {
    if (bar.ts.ns + period_ns > now.ns) continue;  // still forming
    auto& last = last_bar_[bar.symbol.str()];
    if (bar.ts <= last) continue;
    last = bar.ts;
    sink_->on_bar(bar);
  }
}

Status AlpacaBroker::submit(const sdk::ApprovedOrder& order) {
  if (auto s = require_trading("submit"); !s) return s;
  if (auto s = require_started("submit"); !s) return s;
  if (auto a = assets_.find(order.intent().symbol); a != assets_.end() && !a->second.fractionable &&
      order.intent().quantity.raw() % sdk::Decimal::kScale != 0)
    return Status(StatusCode::Rejected, "alpaca: " + order.intent().symbol.str() + " is not fractionable: quantity " +
                                            order.intent().quantity.to_string() + " refused before sending");
  bool expected = false;
  {
    // In the book before the POST: a marketable order can fill, and its fill reach us on the
    // stream, before the POST's reply does; news of an id the book does not know is dropped.
    std::lock_guard lock(book_mutex_);
    expected = book_.expect(order.client_order_id(), order.intent(), order.approved_at());
    // An id Alpaca already holds for another order (one listed at start-up, from an earlier run
    // whose ids a new journal, or a run without one, starts again), whatever its terms: Alpaca
    // would refuse it, and that order's news would pass for this one's. Not sent.
    if (!expected && book_.holds_other_order(order.client_order_id(), order.intent()))
      return Status(StatusCode::Rejected,
                    "alpaca: client_order_id " + order.client_order_id().str() +
                        " is already used at Alpaca by order " +
                        book_.venue_id(order.client_order_id()).value_or("?") +
                        ": not sent (the ids start again with a new journal, or in a run "
                        "without one)");
  }
  SubmitResult result = rest_->submit(order);
  std::lock_guard lock(book_mutex_);
  if (result.status.is_ok() && result.order) {
    if (result.order->report.client_order_id != order.client_order_id())
      sink_->logger().warn("alpaca: order reply for " + order.client_order_id().str() + " names client_order_id " +
                           result.order->report.client_order_id.str());
    VenueOrder v = *result.order;
    v.report.client_order_id = order.client_order_id();
    // The reply may be older than news already applied from the stream: the book reports only
    // what goes beyond what it sent (fills by cumulative quantity), never a step back.
    apply(v.report.client_order_id, "POST reply", [&] { return book_.track(v, sink_->now()); });
    return {};
  }
  if (result.status.code() == StatusCode::Unknown || result.status.is_ok()) {
    // Maybe at Alpaca: news about this id stays welcome; the kernel resolves it through order().
    if (!result.status.is_ok()) sink_->logger().error(result.status.message());
    return result.status;
  }
  // Alpaca holds another order under this id: the book keeps a marker (never polled), so that no
  // news, lookup or cancel under the id is taken for this order, whose send left it unconfirmed.
  if (result.id_held_by_another_order) {
    if (!book_.confirmed(order.client_order_id())) {
      book_.refuse_as_held_by_another(order.client_order_id(), order.intent());
    } else {
      // News of that order confirmed the entry while the submit ran (its terms matched): it was
      // reported under this id, and is still tracked. Raised, for the kernel to look at.
      const sdk::Status contradiction(
          StatusCode::Unknown, "alpaca: order " + order.client_order_id().str() + " was refused (" +
                                   result.status.message() +
                                   ") but news of the order Alpaca holds under its id was "
                                   "taken as its own; still tracked");
      deliver({{}, {{order.intent().symbol, contradiction}}});
    }
    return result.status;
  }
  // Refused (Alpaca's 4xx) or never sent: the kernel records the order as rejected, so the book
  // drops it too, unless Alpaca has meanwhile reported the order, which contradicts the refusal.
  // (An entry an earlier send left, on a resend, is kept: Alpaca may have that send.)
  if (expected && !book_.forget(order.client_order_id())) {
    const sdk::Status contradiction(
        StatusCode::Unknown, "alpaca: order " + order.client_order_id().str() + " was refused (" +
                                 result.status.message() +
                                 ") but its updates say Alpaca has it; still tracked");
    deliver({{}, {{order.intent().symbol, contradiction}}});
  }
  return result.status;
}

Status AlpacaBroker::held_by_another(const sdk::ClientOrderId& id, std::string_view what) {
  return Status(StatusCode::NotFound, "alpaca: order " + id.str() +
                                          " was refused: Alpaca holds another order under its "
                                          "client_order_id; " +
                                          std::string(what));
}

Status AlpacaBroker::cancel(const sdk::ClientOrderId& id) {
  if (auto s = require_trading("cancel"); !s) return s;
  if (auto s = require_started("cancel"); !s) return s;
  std::optional<std::string> venue;
  {
    std::lock_guard lock(book_mutex_);
    if (book_.held_by_another(id)) return held_by_another(id, "not cancelled");
    venue = book_.venue_id(id);
  }
  if (!venue) {
    auto found = rest_->order_by_client_id(id);
    if (!found) return found.status();
    venue = found->report.venue_order_id;
    std::lock_guard lock(book_mutex_);
    // Alpaca holds another order under this id (it was used before): that order is not cancelled.
    if (book_.other_than_expected(id, *found))
      return Status(StatusCode::NotFound, "alpaca: the order Alpaca holds under client_order_id " +
                                              id.str() +
                                              " is another one: not cancelled; this one is not at "
                                              "Alpaca");
    if (book_.knows(id))
      apply(id, "snapshot", [&] { return book_.on_snapshot(*found, sink_->now()); });
  }
  return rest_->cancel(*venue);
}

Status AlpacaBroker::cancel_all() {
  if (auto s = require_trading("cancel_all"); !s) return s;
  if (auto s = require_started("cancel_all"); !s) return s;
  return rest_->cancel_all();
}

Status AlpacaBroker::clock_check() const {
  // Telling an older order under a reused client order id from this run's own (lost) send
  // compares Alpaca's stamps with this machine's clock, with a minute's margin: a clock far off
  // could hide a live order. Fail closed.
  constexpr std::int64_t kMaxClockSkewSeconds = 30;
  const auto skew = rest_->clock_skew_seconds();
  if (!skew || (*skew <= kMaxClockSkewSeconds && *skew >= -kMaxClockSkewSeconds)) return {};
  return Status(StatusCode::Rejected,
                "this machine's clock is " + std::to_string(*skew < 0 ? -*skew : *skew) + " s " +
                    (*skew > 0 ? "ahead of" : "behind") +
                    " Alpaca's (its Date header); it must be within " +
                    std::to_string(kMaxClockSkewSeconds) +
                    " s (NTP) to tell orders under a reused client order id apart");
}

sdk::Result<sdk::AccountSnapshot> AlpacaBroker::account() {
  if (auto s = require_trading("account"); !s) return s;
  auto a = rest_->account();
  // Checked at every heartbeat too: a clock that drifts while trading fails the probes, and the
  // failsafe HALTS trading.
  if (auto clock = clock_check(); a && !clock)
    return Status(clock.code(), "alpaca: account: " + clock.message());
  if (a && sink_ != nullptr) a->ts = sink_->now();
  return a;
}

sdk::Result<std::vector<sdk::Position>> AlpacaBroker::positions() {
  if (auto s = require_trading("positions"); !s) return s;
  return rest_->positions();
}

sdk::Result<std::vector<sdk::OrderStatusReport>> AlpacaBroker::open_orders() {
  if (auto s = require_trading("open_orders"); !s) return s;
  return rest_->open_orders();
}

sdk::Result<sdk::OrderStatusReport> AlpacaBroker::order(const sdk::ClientOrderId& id) {
  if (auto s = require_trading("order"); !s) return s;
  if (sink_ != nullptr) {
    std::lock_guard lock(book_mutex_);
    if (book_.held_by_another(id)) return held_by_another(id, "not looked up");
  }
  auto found = rest_->order_by_client_id(id);
  if (sink_ != nullptr) {
    std::lock_guard lock(book_mutex_);
    if (found && book_.older_than_expected(id, *found)) {
      // Alpaca holds an older order under this id (the ids start again with a new journal), so
      // refused this one: not at Alpaca. Confirmed twice, the kernel sends it once more, and
      // Alpaca's refusal of the duplicate then names the old order.
      return Status(StatusCode::NotFound,
                    "alpaca: the order under client_order_id " + id.str() + " was taken " +
                        found->created_at->to_iso8601() +
                        ", before this one was approved: another order; this one is not at "
                        "Alpaca");
    }
    if (found && book_.knows(id)) {
      apply(id, "snapshot", [&] { return book_.on_snapshot(*found, sink_->now()); });
    } else if (found && found->report.open) {
      // An order the kernel holds that start() did not list (Alpaca slow to show it after a fast
      // restart): tracked from here on, or its fills would be dropped as not ours. Its past is
      // the kernel's (the lookup's filled quantity; fills come as fills).
      book_.adopt(*found);
    }
    if (!found && found.status().code() == StatusCode::Unknown) deliver(book_.on_unknown_status(id, found.status()));
  }
  if (!found) return found.status();
  return found->report;
}

sdk::Result<std::vector<sdk::OrderEvent>> AlpacaBroker::fills(sdk::Timestamp since) {
  if (auto s = require_trading("fills"); !s) return s;
  auto activities = rest_->fills_since(since);
  if (!activities) return activities.status();
  if (!activities->unreadable.empty()) {
    // Before start() the book is empty and nothing can be logged: no activity can be told apart.
    if (sink_ == nullptr) return activities->unreadable.front().status;
    std::lock_guard lock(book_mutex_);
    if (auto s = screen_unreadable(activities->unreadable); !s) return s;
  }
  std::map<std::string, sdk::ClientOrderId> client_ids;
  std::vector<sdk::OrderEvent> out;
  for (const auto& f : activities->fills) {
    if (f.event.ts < since) continue;
    auto it = client_ids.find(f.venue_order_id);
    if (it == client_ids.end()) {
      // Activities carry only Alpaca's order id; the kernel needs its own id (and nothing else
      // of the order: a status this plugin cannot interpret must not fail the reconciliation).
      auto id = rest_->client_order_id_of(f.venue_order_id);
      if (!id)
        return Status(id.status().code(), "alpaca: fills: order of fill " + f.activity_id + ": " +
                                              id.status().message());
      it = client_ids.emplace(f.venue_order_id, *id).first;
    }
    sdk::OrderEvent ev = f.event;
    ev.client_order_id = it->second;
    out.push_back(ev);
  }
  return out;
}

sdk::Result<std::vector<sdk::Bar>> AlpacaBroker::history(const sdk::Symbol& symbol, sdk::Timestamp from,
                                                         sdk::Timestamp to) {
  // Alpaca's end is inclusive, the SDK's is exclusive.
  auto bars = rest_->bars({symbol}, from, sdk::Timestamp{to.ns - 1});
  if (!bars) return bars.status();
  std::vector<sdk::Bar> out;
  for (const auto& b : *bars)
    if (b.symbol == symbol && b.ts >= from && b.ts < to) out.push_back(b);
  return out;
}

Status AlpacaBroker::subscribe_bars(const std::vector<sdk::Symbol>& symbols) {
  if (auto s = require_started("subscribe_bars"); !s) return s;
  if (settings_.trading) {
    // Strategies trade what they subscribe to: a symbol Alpaca does not know or will not trade
    // fails here, at start, rather than as a rejection (or silence) later.
    for (const auto& symbol : symbols) {
      if (assets_.count(symbol)) continue;
      auto asset = rest_->asset(symbol);
      if (!asset) {
        if (asset.status().code() == StatusCode::NotFound)
          return Status(StatusCode::InvalidArgument, "alpaca: " + symbol.str() + " is not an asset Alpaca knows (GET /v2/assets)");
        return Status(asset.status().code(), "alpaca: cannot check the asset " + symbol.str() + ": " + asset.status().message());
      }
      if (!asset->tradable || asset->status != "active")
        return Status(StatusCode::InvalidArgument, "alpaca: " + symbol.str() + " is not tradable at Alpaca (status " +
                                                       asset->status + ", tradable " + (asset->tradable ? "true" : "false") + ")");
      assets_.emplace(symbol, *asset);
    }
  }
  {
    std::lock_guard lock(poller_mutex_);
    for (const auto& s : symbols)
      if (std::find(bar_symbols_.begin(), bar_symbols_.end(), s) == bar_symbols_.end()) bar_symbols_.push_back(s);
  }
  poller_cv_.notify_all();
  return {};
}

}  // namespace mercurio::brokers::alpaca
