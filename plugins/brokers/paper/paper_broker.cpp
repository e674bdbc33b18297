#include "paper_broker.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <limits>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "issued_number.hpp"

namespace mercurio::brokers::paper {

using sdk::Decimal;
using sdk::OrderEventType;
using sdk::OrderType;
using sdk::Side;
using sdk::Status;
using sdk::StatusCode;
using sdk::TimeInForce;

namespace {
// What the exception being handled says (inside a catch block only).
std::string current_exception_text() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

PaperSettings settings_or_throw(const sdk::ConfigView& config) {
  auto parsed = parse_settings(config);
  if (!parsed) throw std::invalid_argument(parsed.status().message());
  return std::move(parsed).value();
}

std::string day_text(std::int64_t utc_day) {
  return sdk::Timestamp{utc_day * sdk::Timestamp::kNanosPerDay}.to_iso8601().substr(0, 10);
}

std::string_view final_state_text(OrderEventType type) {
  switch (type) {
    case OrderEventType::Filled:
      return "filled";
    case OrderEventType::Rejected:
      return "rejected";
    case OrderEventType::Canceled:
      return "canceled";
    case OrderEventType::Expired:
      return "expired";
    default:
      return "final";
  }
}

// Empty when `path` is a regular file this process can open for reading.
std::string data_file_problem(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (st.type() == std::filesystem::file_type::not_found) return "does not exist";
  if (ec) return "cannot be inspected: " + ec.message();
  if (st.type() != std::filesystem::file_type::regular) return "is not a regular file";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "cannot be opened: " + std::generic_category().message(errno);
  std::fclose(f);
  return {};
}

Status internal_error(std::string_view call, const std::exception& e) {
  return Status(StatusCode::Internal, "paper broker " + std::string(call) + " failed: " + e.what());
}

}  // namespace

PaperBroker::PaperBroker(const sdk::ConfigView& config) : PaperBroker(settings_or_throw(config)) {}

PaperBroker::PaperBroker(PaperSettings settings)
    : settings_(std::move(settings)), account_(settings_.starting_cash) {}

// Without stop(): the account stays as the last change left it, snapshot and log, as after a crash.
PaperBroker::~PaperBroker() {
  feed_.stop();
  sink_ = nullptr;
}

// ---- lifecycle ----

Status PaperBroker::start(sdk::BrokerSink& sink) {
  if (sink_ != nullptr) return Status(StatusCode::Rejected, "paper broker is already started");
  // Fail early on missing files; rows are validated when the data is first needed.
  std::string missing;
  for (const auto& [symbol, path] : settings_.data)
    if (std::string problem = data_file_problem(path); !problem.empty())
      missing.append("\n  " + symbol.str() + ": data file '" + path + "' " + problem);
  if (!missing.empty())
    return Status(StatusCode::NotFound,
                  "plugin '" + settings_.plugin_id + "': missing market data files:" + missing);
  if (!settings_.state_file_not_used.empty())
    sink.logger().info("plugin '" + settings_.plugin_id + "': state_file " +
                       settings_.state_file_not_used +
                       " is not used in a backtest: the simulated account starts from "
                       "starting_cash and the file is left as it is");
  if (!settings_.state_file.empty()) {
    if (orders_.empty() && std::filesystem::exists(settings_.state_file)) {
      if (std::string error = load_state(); !error.empty())
        return Status(StatusCode::Internal, "plugin '" + settings_.plugin_id + "': " + error);
    } else if (orders_.empty() && log_holds_changes()) {
      // Changes without the account they change: not something to start a fresh account over.
      return Status(StatusCode::Internal,
                    "plugin '" + settings_.plugin_id + "': " + state_log_path() +
                        " holds changes to a paper account but its state file " +
                        settings_.state_file + " is missing");
    }
    // The log holds changes to the snapshot this object wrote last: a fresh one starts here (and
    // a torn record a crash left at the log's end goes with the old log).
    if (snapshot_due_)
      if (std::string error = save_state(); !error.empty())
        return Status(StatusCode::Internal, "plugin '" + settings_.plugin_id +
                                                "': cannot save the paper account: " + error);
  }
  sink_ = &sink;
  subscribed_ = false;
  return Status::ok();
}

void PaperBroker::stop() {
  feed_.stop();
  // A clean stop leaves the whole account in the state file, with the marks and the last bar
  // matched as they are now (a save happens only on a change while running).
  if (sink_ != nullptr && !settings_.state_file.empty() &&
      (snapshot_due_ || changes_in_log_ > 0 || !marks_unsaved_.empty()))
    if (std::string error = save_state(); !error.empty())
      sink_->logger().log(sdk::LogLevel::Error, "paper broker could not save its account to " +
                                                    settings_.state_file + " at stop: " + error);
  sink_ = nullptr;
}

Status PaperBroker::require_started(std::string_view call) const {
  if (sink_ != nullptr) return Status::ok();
  return Status(StatusCode::Unavailable,
                "paper broker: " + std::string(call) + " called before start()");
}

// ---- market data ----

std::string PaperBroker::known_symbols() const {
  std::string out;
  for (const auto& [symbol, path] : settings_.data)
    out.append(out.empty() ? "" : ", ").append(symbol.view());
  return out;
}

std::string PaperBroker::no_data_text() const {
  return "paper broker '" + settings_.plugin_id +
         "' has no config key data: its bars come from another broker (set market_data on its "
         "[[plugin]] entry to the broker that serves them)";
}

sdk::Result<std::vector<sdk::Bar>> PaperBroker::load_bars(const sdk::Symbol& symbol) {
  if (settings_.data.empty()) return Status(StatusCode::NotFound, no_data_text());
  auto it = settings_.data.find(symbol);
  if (it == settings_.data.end())
    return Status(StatusCode::NotFound, "paper broker has no data for symbol '" + symbol.str() +
                                            "' (config key data has: " + known_symbols() + ")");
  auto file =
      read_bar_csv(it->second, symbol, settings_.on_bad_row, ParseThreads{settings_.load_threads});
  if (!file) return file.status();
  // Each load reads the file again, so the skipped rows are logged only the first time.
  if (!file->skipped.empty() && skip_warnings_logged_.insert(symbol).second) {
    for (const auto& row : file->skipped) sink_->logger().warn("skipped bad row " + row);
    sink_->logger().warn(symbol.str() + ": skipped " + std::to_string(file->skipped.size()) +
                         " bad row(s) of " + it->second + " (on_bad_row = \"skip\")");
  }
  return std::move(file->bars);
}

sdk::Result<std::vector<sdk::Bar>> PaperBroker::history(const sdk::Symbol& symbol,
                                                        sdk::Timestamp from, sdk::Timestamp to) {
  if (auto st = require_started("history"); !st) return st;
  try {
    auto loaded = load_bars(symbol);
    if (!loaded) return loaded.status();
    std::vector<sdk::Bar> bars = std::move(loaded).value();
    // Trim in place: no second copy of a possibly large file.
    const bool open_end = to.ns == std::numeric_limits<std::int64_t>::max();
    const auto by_ts = [](const sdk::Bar& b, sdk::Timestamp t) { return b.ts < t; };
    auto last = open_end ? bars.end() : std::lower_bound(bars.begin(), bars.end(), to, by_ts);
    bars.erase(last, bars.end());
    auto first = std::lower_bound(bars.begin(), bars.end(), from, by_ts);
    bars.erase(bars.begin(), first);
    return bars;
  } catch (const std::exception& e) {
    return internal_error("history", e);
  }
}

Status PaperBroker::subscribe_bars(const std::vector<sdk::Symbol>& symbols) {
  if (auto st = require_started("subscribe_bars"); !st) return st;
  if (subscribed_)
    return Status(StatusCode::Rejected,
                  "paper broker: subscribe_bars was already called; the replay feed starts "
                  "once, so list every symbol in the first call");
  if (settings_.data.empty()) return Status(StatusCode::NotFound, no_data_text());
  try {
    const std::set<sdk::Symbol> wanted(symbols.begin(), symbols.end());
    std::string missing;
    for (const auto& symbol : wanted)
      if (!settings_.data.contains(symbol))
        missing.append(missing.empty() ? "" : ", ").append(symbol.view());
    if (!missing.empty())
      return Status(StatusCode::NotFound, "paper broker has no data for symbol(s) " + missing +
                                              " (config key data has: " + known_symbols() + ")");
    std::vector<sdk::Bar> merged;
    for (const auto& symbol : wanted) {
      auto loaded = load_bars(symbol);
      if (!loaded) return loaded.status();
      // A persisted account resumes where its market was: bars it already matched on are past,
      // those of the last time matched too when this symbol's came first at that time.
      if (matched_through_) {
        const MatchedBar& m = *matched_through_;
        const auto by_time = [](const sdk::Bar& b, sdk::Timestamp t) { return b.ts < t; };
        auto first_kept = std::lower_bound(loaded->begin(), loaded->end(), m.ts, by_time);
        if (first_kept != loaded->end() && first_kept->ts == m.ts && !m.before(m.ts, symbol))
          ++first_kept;
        loaded->erase(loaded->begin(), first_kept);
      }
      if (merged.empty()) {
        merged = std::move(loaded).value();
      } else {
        merged.insert(merged.end(), loaded->begin(), loaded->end());
      }
    }
    // Each file is strictly increasing, so (ts, symbol) is a unique key: the order is total.
    if (wanted.size() > 1)
      std::sort(merged.begin(), merged.end(), [](const sdk::Bar& a, const sdk::Bar& b) {
        return a.ts != b.ts ? a.ts < b.ts : a.symbol < b.symbol;
      });
    feed_.start(std::move(merged), settings_.replay_interval, *sink_);
    subscribed_ = true;
    return Status::ok();
  } catch (const std::exception& e) {
    return internal_error("subscribe_bars", e);
  }
}

// ---- orders ----

std::optional<Decimal> PaperBroker::reference_price(const sdk::OrderIntent& intent) const {
  switch (intent.type) {
    case OrderType::Limit:
    case OrderType::StopLimit:
      return intent.limit_price;
    case OrderType::Stop:
      return intent.stop_price;
    case OrderType::Market:
      return account_.last_price(intent.symbol);
  }
  return std::nullopt;
}

std::string PaperBroker::venue_check(const sdk::OrderIntent& in) const {
  // Without data the bars come from elsewhere (market_data): any symbol is accepted and trades
  // on the bars on_market_bar brings (a market order needs one first: the reference price check).
  if (!settings_.data.empty() && !settings_.data.contains(in.symbol))
    return "no market data for symbol '" + in.symbol.str() +
           "' (config key data has: " + known_symbols() + ")";
  if (std::string problem = order_terms_problem(in); !problem.empty()) return problem;

  if (in.side == Side::Buy && !settings_.allow_margin) {
    const auto ref = reference_price(in);
    if (!ref)
      return "no reference price for " + in.symbol.str() +
             " yet (no bar seen), cannot check the cash a market buy needs (allow_margin = false)";
    Decimal reserved;
    for (const WorkingOrder& w : open_) {
      const auto& o = orders_[w.index].intent;
      if (o.side != Side::Buy) continue;
      if (auto r = reference_price(o)) reserved += (o.quantity - orders_[w.index].filled) * *r;
    }
    // Without margin, a short sale's proceeds are not the account's to spend: they are what
    // buying the shares back costs (at the last close). The part of a short that open buys cover
    // already is in their reservation instead (not counted twice). The part of this order that
    // covers what is left of a short spends that short's proceeds: it needs free cash only for a
    // price above the close; the rest of the order needs all of it. Held shorts count whatever
    // allow_short says now (an account restored with one); without any, no lookups.
    Decimal shorts, needs = in.quantity * *ref;
    if (account_.holds_shorts()) {
      for (const PaperAccount::Short& held : account_.shorts()) {
        Decimal covering;  // open buys of the symbol
        for (const WorkingOrder& w : open_) {
          const OrderRecord& o = orders_[w.index];
          if (w.symbol == held.symbol && o.intent.side == Side::Buy)
            covering += o.intent.quantity - o.filled;
        }
        const Decimal left = held.quantity > covering ? held.quantity - covering : Decimal{};
        shorts += left * held.mark;
        if (held.symbol != in.symbol) continue;
        const Decimal covered = in.quantity < left ? in.quantity : left;
        needs = (in.quantity - covered) * *ref +
                covered * (*ref > held.mark ? *ref - held.mark : Decimal{});
      }
    }
    const Decimal available = account_.cash() - shorts - reserved;
    if (needs > available)
      return "insufficient cash: order needs " + needs.to_string() + ", available " +
             available.to_string() + " (cash " + account_.cash().to_string() +
             (shorts.is_zero() ? std::string() : " minus short positions " + shorts.to_string()) +
             " minus open buy orders " + reserved.to_string() + ")";
  }
  if (in.side == Side::Sell && !settings_.allow_short) {
    Decimal open_sells;
    for (const WorkingOrder& w : open_) {
      if (w.symbol != in.symbol) continue;
      const auto& o = orders_[w.index];
      if (o.intent.side == Side::Sell) open_sells += o.intent.quantity - o.filled;
    }
    const Decimal position = account_.position_quantity(in.symbol);
    const Decimal available = position - open_sells;
    if (in.quantity > available)
      return "insufficient position (allow_short = false): order sells " + in.quantity.to_string() +
             " " + in.symbol.str() + ", available " + available.to_string() + " (position " +
             position.to_string() + " minus open sell orders " + open_sells.to_string() + ")";
  }
  return {};
}

Status PaperBroker::submit(const sdk::ApprovedOrder& order) {
  if (auto st = require_started("submit"); !st) return st;
  try {
    const sdk::ClientOrderId& id = order.client_order_id();
    const sdk::OrderIntent& intent = order.intent();
    const sdk::Timestamp now = sink_->now();

    const std::optional<std::size_t> known = index_by_id_.find(id);
    if (known) {
      // Counted: a second submit of one id is what the crash tests look for.
      ++orders_[*known].submits;
      persist("a duplicate submit", std::span(&*known, 1));
    }
    if (id.empty() || known) {
      // Not recorded: the first order with this id keeps its state and its report.
      OrderRecord dup;
      dup.id = id;
      dup.intent = intent;
      sdk::OrderEvent ev = event_for(dup, OrderEventType::Rejected, now);
      ev.reason = id.empty() ? "empty client order id"
                             : "duplicate client order id '" + id.str() +
                                   "': the venue already has an order with it";
      sink_->on_order_event(ev);
      return Status::ok();
    }

    std::string reason;
    try {
      reason = venue_check(intent);
    } catch (const sdk::DecimalError& e) {
      // e.g. quantity × price beyond the decimal range: refuse the order, not the call.
      reason = std::string("order value out of range: ") + e.what();
    }
    const bool accepted = reason.empty();
    OrderRecord record;
    record.id = id;
    record.intent = intent;
    record.open = accepted;
    record.final_state = OrderEventType::Rejected;  // read only once the order is closed
    record.not_before = latest_bar_ts_;
    if (accepted) {  // "paper-<n>", formatted in place (every accepted order)
      constexpr std::string_view prefix = "paper-";
      char text[32];
      std::memcpy(text, prefix.data(), prefix.size());
      const auto end = std::to_chars(text + prefix.size(), text + sizeof text, next_order_number_++).ptr;
      record.venue_order_id.assign(text, end);
    }
    sdk::OrderEvent ev =
        event_for(record, accepted ? OrderEventType::Accepted : OrderEventType::Rejected, now);
    if (accepted) {
      ev.leaves_quantity = intent.quantity;
    } else {
      ev.reason = std::move(reason);
    }

    // What can fail comes before the order is on record: room in the working list, the log entry,
    // then its index entry (the log entry undone if that fails). A failure up to here refuses the
    // order, and nothing of it is kept.
    if (accepted && open_.size() == open_.capacity()) open_.reserve(2 * open_.size() + 4);
    orders_.push_back(std::move(record));
    const std::size_t index = orders_.size() - 1;
    try {
      index_by_id_.add(id, index);
    } catch (...) {
      orders_.pop_back();
      throw;
    }
    if (accepted) open_.push_back(working(orders_[index], index));  // room made above: cannot fail

    // On record from here, and it trades on the next bar: a failure to report it is an unknown
    // outcome, which the kernel resolves with order(), not a refusal it would book as final.
    try {
      persist("recording an order", std::span(&index, 1));
      sink_->on_order_event(ev);
    } catch (const std::exception& e) {
      return Status(StatusCode::Unknown, "paper broker recorded order '" + id.str() +
                                             "' but could not report it: " + e.what());
    }
    return Status::ok();
  } catch (const std::exception& e) {
    return internal_error("submit", e);
  }
}

Status PaperBroker::cancel(const sdk::ClientOrderId& id) {
  if (auto st = require_started("cancel"); !st) return st;
  try {
    const std::optional<std::size_t> position = index_by_id_.find(id);
    if (!position)
      return Status(StatusCode::NotFound,
                    "paper broker: no order with client order id '" + id.str() + "'");
    const OrderRecord& o = orders_[*position];
    if (!o.open)
      return Status(StatusCode::Rejected, "paper broker: order '" + id.str() + "' is already " +
                                              std::string(final_state_text(o.final_state)) +
                                              ", nothing to cancel");
    sink_->on_order_event(
        close_and_save(*position, OrderEventType::Canceled, sink_->now(), "canceled on request"));
    return Status::ok();
  } catch (const std::exception& e) {
    return internal_error("cancel", e);
  }
}

// ---- matching ----

template <class FaultText>
void PaperBroker::queue_bar_fault(FaultText&& text) noexcept {
  try {
    unreported_faults_.emplace_back(StatusCode::Internal, text());
  } catch (...) {
    unreported_fault_untold_ = true;
  }
}

template <class FaultText>
void PaperBroker::report_on_bar(const sdk::OrderEvent& event, FaultText&& fault_text) {
  try {
    sink_->on_order_event(event);
  } catch (...) {
    queue_bar_fault(fault_text);
  }
}

void PaperBroker::on_market_bar(const sdk::Bar& bar) {
  if (sink_ == nullptr) return;
  try {
    account_.mark(bar.symbol, bar.close);
    if (!latest_bar_ts_ || bar.ts > *latest_bar_ts_) latest_bar_ts_ = bar.ts;
    if (!settings_.state_file.empty()) marks_unsaved_.insert(bar.symbol);
  } catch (const std::exception& e) {
    sink_->on_fault(internal_error("on_market_bar", e));
    return;
  }
  // Eligible: open orders of this symbol accepted when the latest bar seen was older than this
  // one, so an order placed while bar t is processed first trades on the next bar. A list of its
  // own: an order that closes below leaves `open_` at once.
  std::vector<std::size_t> eligible = std::move(eligible_spare_);
  eligible.clear();
  for (const WorkingOrder& w : open_)
    if (w.symbol == bar.symbol && (!w.not_before || bar.ts > *w.not_before))
      eligible.push_back(w.index);
  std::size_t unsaved = 0;  // eligible[0, unsaved): changed without a report, saved below
  for (std::size_t i : eligible) {
    try {
      if (process_order(i, bar)) eligible[unsaved++] = i;
    } catch (...) {
      // Decimal overflow: the order stays as it was; the kernel's failsafe decides what follows.
      // (A DAY order's session may have started before the failure: saved with the others.)
      eligible[unsaved++] = i;
      // Reported once the bar's changes are saved: a sink that throws on the report must not cost
      // the other orders their turn on this bar or the save.
      queue_bar_fault([&] {
        return "paper broker could not match order '" + orders_[i].id.str() + "' on the " +
               bar.ts.to_iso8601() + " bar: " + current_exception_text();
      });
    }
  }
  // Matched: saves say this bar from here on. (One that a fill or an expiry made during the bar
  // said the bar before: a crash now replays this bar, which changes nothing the saves hold.)
  // Only saves read it: a backtest without a state file does not pay for it on every bar.
  if (!settings_.state_file.empty()) {
    if (!matched_through_ || matched_through_->before(bar.ts, bar.symbol))
      matched_through_ = MatchedBar{bar.ts, bar.symbol};
    if (unsaved > 0) persist("matching orders", std::span(eligible.data(), unsaved));
  }
  eligible_spare_ = std::move(eligible);
  if (!unreported_faults_.empty() || unreported_fault_untold_) report_bar_faults();
}

void PaperBroker::report_bar_faults() {
  std::vector<Status> faults;
  faults.swap(unreported_faults_);
  if (std::exchange(unreported_fault_untold_, false))
    faults.emplace_back(StatusCode::Internal,
                        "paper broker could not match or report an order on a bar, nor build the "
                        "fault's report");
  // Every fault is reported, even after a sink threw on one; the first throw is passed on.
  std::exception_ptr first_throw;
  for (const Status& fault : faults) {
    try {
      sink_->on_fault(fault);
    } catch (...) {
      if (!first_throw) first_throw = std::current_exception();
    }
  }
  if (first_throw) std::rethrow_exception(first_throw);
}

bool PaperBroker::process_order(std::size_t index, const sdk::Bar& bar) {
  OrderRecord& o = orders_[index];
  if (!o.open) return false;
  bool changed = false;
  const TimeInForce tif = o.intent.time_in_force;
  const std::int64_t day = bar.ts.utc_day();
  if (tif == TimeInForce::Day) {
    if (o.session_day && day > *o.session_day) {
      finish_order_on_bar(index, OrderEventType::Expired, bar,
                          "day order expired: its session " + day_text(*o.session_day) +
                              " (UTC) ended before the " + bar.ts.to_iso8601() + " bar");
      return false;
    }
    if (!o.session_day) {
      o.session_day = day;
      changed = true;
    }
  }

  const OrderTerms terms{o.intent.side, o.intent.type, o.intent.limit_price, o.intent.stop_price,
                         o.stop_triggered};
  const MatchOutcome outcome = match_order(terms, bar, settings_.slippage_bps);
  if (outcome.fill_price) {
    fill_order(index, bar, *outcome.fill_price);
    return false;
  }
  if (outcome.triggered_now) {
    o.stop_triggered = true;
    changed = true;
  }
  if (tif == TimeInForce::Ioc || tif == TimeInForce::Fok) {
    finish_order_on_bar(index, OrderEventType::Canceled, bar,
                        std::string(to_string(tif)) +
                            " order did not fill on its first eligible bar (" +
                            bar.ts.to_iso8601() + ")");
    return false;
  }
  return changed;
}

void PaperBroker::fill_order(std::size_t index, const sdk::Bar& bar, Decimal price) {
  OrderRecord& o = orders_[index];
  const Decimal quantity = o.intent.quantity - o.filled;  // v1: always the whole remainder
  const Decimal commission = commission_for(settings_.commission, quantity, price);
  // The trade log's entry first (its growth can fail), then the booking (a value out of the
  // decimal range throws there, and the entry is taken back): either failure leaves nothing
  // changed, the order included, and on_market_bar reports that the order was not matched.
  fills_.push_back(FillRecord{index, bar.ts, next_trade_number_, quantity, price, commission,
                              Decimal{}, OrderEventType::Filled});
  try {
    account_.apply_fill(o.intent.symbol, o.intent.side, quantity, price, commission);
  } catch (...) {
    fills_.pop_back();
    throw;
  }
  ++next_trade_number_;
  o.filled += quantity;  // at most the order's quantity: cannot leave the range
  close_order(index, OrderEventType::Filled);
  persist("a fill", std::span(&index, 1));  // on record before it is reported, as at a real venue

  // Booked and in the trade log, where fills() finds it: a failure to report it is not a failure
  // to match, and is said as what it is.
  report_on_bar(fill_event(fills_.back()), [&] {
    return "paper broker filled order '" + o.id.str() + "' on the " + bar.ts.to_iso8601() +
           " bar (trade " + trade_id_of(fills_.back().trade_number).str() +
           ") but could not report the fill: " + current_exception_text() +
           "; the account has it and fills() lists it";
  });
}

sdk::OrderEvent PaperBroker::close_and_save(std::size_t index, OrderEventType type,
                                            sdk::Timestamp ts, std::string reason) {
  close_order(index, type);
  persist("closing an order", std::span(&index, 1));
  sdk::OrderEvent ev = event_for(orders_[index], type, ts);
  ev.reason = std::move(reason);
  return ev;
}

void PaperBroker::finish_order_on_bar(std::size_t index, OrderEventType type, const sdk::Bar& bar,
                                      std::string reason) {
  // Closed and saved: a failure to report it is not a failure to match, and is said as what it is.
  report_on_bar(close_and_save(index, type, bar.ts, std::move(reason)), [&] {
    return "paper broker closed order '" + orders_[index].id.str() + "' (" +
           std::string(to_string(type)) + ") on the " + bar.ts.to_iso8601() +
           " bar but could not report it: " + current_exception_text() + "; order() has it";
  });
}

void PaperBroker::close_order(std::size_t index, OrderEventType final_state) {
  OrderRecord& o = orders_[index];
  o.open = false;
  o.final_state = final_state;
  // A few open orders at most: a short scan, submission order kept.
  std::erase_if(open_, [index](const WorkingOrder& w) { return w.index == index; });
}

PaperBroker::WorkingOrder PaperBroker::working(const OrderRecord& order, std::size_t index) {
  return WorkingOrder{order.intent.symbol, order.not_before, index};
}

// ---- queries ----

sdk::Result<sdk::AccountSnapshot> PaperBroker::account() {
  if (auto st = require_started("account"); !st) return st;
  try {
    sdk::AccountSnapshot snap;
    snap.cash = account_.cash();
    snap.equity = account_.equity();
    if (settings_.allow_margin) {
      // Simple 2:1 model: twice the equity, less what the open positions already use.
      const Decimal bp = snap.equity.times(2) - account_.gross_position_value();
      snap.buying_power = bp.is_negative() ? Decimal{} : bp;
    } else {
      // Short sale proceeds are not spendable without margin (see the buy check).
      const Decimal free = snap.cash - account_.short_position_value();
      snap.buying_power = free.is_negative() ? Decimal{} : free;
    }
    snap.ts = sink_->now();
    return snap;
  } catch (const std::exception& e) {
    return internal_error("account", e);
  }
}

sdk::Result<std::vector<sdk::Position>> PaperBroker::positions() {
  try {
    return account_.open_positions();
  } catch (const std::exception& e) {
    return internal_error("positions", e);
  }
}

sdk::Result<std::vector<sdk::OrderStatusReport>> PaperBroker::open_orders() {
  try {
    std::vector<sdk::OrderStatusReport> out;
    out.reserve(open_.size());
    for (const WorkingOrder& w : open_) out.push_back(report_for(orders_[w.index]));
    return out;
  } catch (const std::exception& e) {
    return internal_error("open_orders", e);
  }
}

sdk::Result<sdk::OrderStatusReport> PaperBroker::order(const sdk::ClientOrderId& id) {
  try {
    const std::optional<std::size_t> position = index_by_id_.find(id);
    if (!position)
      return Status(StatusCode::NotFound,
                    "paper broker: no order with client order id '" + id.str() + "'");
    return report_for(orders_[*position]);
  } catch (const std::exception& e) {
    return internal_error("order", e);
  }
}

sdk::Result<std::vector<sdk::OrderEvent>> PaperBroker::fills(sdk::Timestamp since) {
  try {
    // Execution order is not time order: with bars from another broker, one symbol's later bar can
    // fill an order before another symbol's earlier bar fills one. So every fill is looked at.
    std::vector<sdk::OrderEvent> out;
    for (const FillRecord& f : fills_)
      if (!(f.ts < since)) out.push_back(fill_event(f));
    return out;
  } catch (const std::exception& e) {
    return internal_error("fills", e);
  }
}

sdk::OrderEvent PaperBroker::event_for(const OrderRecord& order, OrderEventType type,
                                       sdk::Timestamp ts) const {
  sdk::OrderEvent ev;
  ev.type = type;
  ev.client_order_id = order.id;
  ev.symbol = order.intent.symbol;
  ev.side = order.intent.side;
  ev.ts = ts;
  ev.venue_order_id = order.venue_order_id;
  return ev;
}

sdk::TradeId PaperBroker::trade_id_of(std::uint64_t trade_number) {
  char buf[32] = "paper-t";
  const auto end = std::to_chars(buf + 7, buf + sizeof buf, trade_number).ptr;
  return sdk::TradeId(std::string_view(buf, static_cast<std::size_t>(end - buf)));
}

std::optional<std::uint64_t> PaperBroker::trade_number_of(std::string_view trade_id) {
  return number_after("paper-t", trade_id);
}

std::optional<std::uint64_t> PaperBroker::venue_order_number_of(std::string_view venue_order_id) {
  return number_after("paper-", venue_order_id);
}

sdk::OrderEvent PaperBroker::fill_event(const FillRecord& fill) const {
  sdk::OrderEvent ev = event_for(orders_[fill.order], fill.type, fill.ts);
  ev.trade_id = trade_id_of(fill.trade_number);
  ev.fill_quantity = fill.quantity;
  ev.fill_price = fill.price;
  ev.commission = fill.commission;
  ev.leaves_quantity = fill.leaves;
  return ev;
}

sdk::OrderStatusReport PaperBroker::report_for(const OrderRecord& order) const {
  sdk::OrderStatusReport r;
  r.client_order_id = order.id;
  r.intent = order.intent;
  r.filled_quantity = order.filled;
  r.leaves_quantity = order.open ? order.intent.quantity - order.filled : Decimal{};
  r.open = order.open;
  r.status = order.open ? (order.filled.is_zero() ? OrderEventType::Accepted : OrderEventType::PartiallyFilled)
                        : order.final_state;
  r.venue_order_id = order.venue_order_id;
  return r;
}

}  // namespace mercurio::brokers::paper
