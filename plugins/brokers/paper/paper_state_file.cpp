// The paper broker's persistent account (config key state_file): everything a real venue would still
// know after the trading process died — cash, positions, marks, every order with its fills, the
// trade log and how far its market has moved.
//
// Two files. The state file is a snapshot of the whole account, replaced durably (temp file,
// fsync, rename). Each change after it is a record appended to state_file + ".log" and synced
// before the change is reported: the cost of a change does not grow with the account's history
// (rewriting the whole file did: 50 ms a change at 3,000 orders). A record is a TOML document
// of what the change touched - its orders, the fills since the last save, the positions and marks
// of their symbols, cash and the next numbers - ending in a line "# end of change <n>". Records
// are numbered across snapshots and a snapshot names the last one it holds (last_change), so:
//  - a crash while a record is appended leaves text after the last end line: a change that was
//    never reported, dropped when the account is next loaded;
//  - a crash after a new snapshot, before the log is emptied, leaves records the snapshot
//    already holds: skipped;
//  - a missing or repeated number, or a record that does not read, is a corrupt log: the start
//    fails, naming the line.
// A load applies the log to the snapshot, checks the result like a snapshot (load_state), and the
// start then writes it as the new snapshot. While running, a new snapshot replaces the log once
// it holds as many records as the snapshot has orders and fills (at least 64): the log stays about
// as large as the snapshot at most, and the average cost of a change stays constant.

#include <toml++/toml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include "fill_simulator.hpp"
#include "issued_number.hpp"
#include "mercurio/durable_file/durable_file.hpp"
#include "paper_broker.hpp"

namespace mercurio::brokers::paper {

using sdk::Decimal;
using sdk::Status;
using sdk::StatusCode;

namespace {

// 2: a snapshot with its change log (last_change). 1 (read, no longer written): the snapshot
// alone, rewritten on every change.
constexpr std::int64_t kStateVersion = 2;
constexpr std::string_view kEndOfChange = "# end of change ";
constexpr std::size_t kMinChangesBeforeSnapshot = 64;

std::string dec(sdk::Decimal d) { return d.to_string(); }

// Every string double-quoted and escaped, on one line. toml++'s default writes a string with a line
// break in it (an order's tag is free text) as a single-quoted string with the break in it, which
// no TOML reader takes back, and a line of a change record could then read as an end line.
void write_toml(std::ostream& out, const toml::table& t) {
  out << toml::toml_formatter{
      t, toml::toml_formatter::default_flags & ~(toml::format_flags::allow_literal_strings |
                                                 toml::format_flags::allow_multi_line_strings)};
}

// Reads fail with the file, the entry and the key named.
struct Reader {
  const std::string& file;
  std::string where;

  const toml::node& at(const toml::table& t, std::string_view key) const {
    const toml::node* n = t.get(key);
    if (!n) throw std::runtime_error(file + ": " + where + ": missing " + std::string(key));
    return *n;
  }
  std::string text(const toml::table& t, std::string_view key) const {
    const auto* s = at(t, key).as_string();
    if (!s) throw std::runtime_error(file + ": " + where + ": " + std::string(key) + " is not a string");
    return s->get();
  }
  sdk::Decimal decimal(const toml::table& t, std::string_view key) const {
    auto d = sdk::Decimal::parse(text(t, key));
    if (!d) throw std::runtime_error(file + ": " + where + ": " + std::string(key) + " is not a decimal");
    return *d;
  }
  std::optional<sdk::Decimal> opt_decimal(const toml::table& t, std::string_view key) const {
    if (!t.get(key)) return std::nullopt;
    return decimal(t, key);
  }
  std::int64_t integer(const toml::table& t, std::string_view key) const {
    const auto* i = at(t, key).as_integer();
    if (!i) throw std::runtime_error(file + ": " + where + ": " + std::string(key) + " is not an integer");
    return i->get();
  }
  std::optional<std::int64_t> opt_integer(const toml::table& t, std::string_view key) const {
    if (!t.get(key)) return std::nullopt;
    return integer(t, key);
  }
  // A number the broker issues next ("paper-<n>", "paper-t<n>"): 1 or more.
  std::uint64_t counter(const toml::table& t, std::string_view key) const {
    const std::int64_t n = integer(t, key);
    if (n < 1)
      throw std::runtime_error(file + ": " + where + ": " + std::string(key) +
                               " must be 1 or more, was " + std::to_string(n));
    return static_cast<std::uint64_t>(n);
  }
  bool boolean(const toml::table& t, std::string_view key) const {
    const auto* b = at(t, key).as_boolean();
    if (!b) throw std::runtime_error(file + ": " + where + ": " + std::string(key) + " is not a boolean");
    return b->get();
  }
  const toml::array& array(const toml::table& t, std::string_view key) const {
    static const toml::array empty;
    const toml::node* n = t.get(key);
    if (!n) return empty;
    if (!n->is_array())
      throw std::runtime_error(file + ": " + where + ": " + std::string(key) +
                               " is not an array of tables");
    return *n->as_array();
  }
  // A reader of entry `k` of the array `key` in what this one reads.
  Reader nested(std::string_view key, std::size_t k) const {
    return Reader{file, where + ": " + std::string(key) + "[" + std::to_string(k) + "]"};
  }
  // The entry this reader names, which must be a table.
  const toml::table& table(const toml::node& n) const {
    if (!n.is_table()) throw std::runtime_error(file + ": " + where + " is not a table");
    return *n.as_table();
  }
};

// The array `key` of `root`, created empty when missing.
toml::array& array_in(toml::table& root, std::string_view key, const Reader& r) {
  if (!root.contains(key)) root.insert(key, toml::array{});
  toml::array* a = root.get_as<toml::array>(key);
  if (!a) throw std::runtime_error(r.file + ": " + std::string(key) + " is not an array of tables");
  return *a;
}

// Puts each entry of the record's array `key` in place of the root's entry with the same `id_key`
// (its symbol, its client order id), or after the last one. `at` maps the root's ids to entries;
// `written` is told the index of each entry written.
template <typename Written>
void replace_entries(toml::table& root, toml::table& record, std::string_view key,
                     std::string_view id_key, std::unordered_map<std::string, std::size_t>& at,
                     const Reader& r, Written&& written) {
  toml::array& target = array_in(root, key, r);
  if (at.empty())
    for (std::size_t i = 0; i < target.size(); ++i)
      if (const toml::table* t = target[i].as_table())
        if (const auto* id = t->get_as<std::string>(id_key)) at.emplace(id->get(), i);
  std::size_t k = 0;
  for (auto& n : array_in(record, key, r)) {
    const Reader e = r.nested(key, k++);
    const toml::table& t = e.table(n);
    const std::string id = e.text(t, id_key);
    const auto [it, added] = at.emplace(id, target.size());
    if (added) {
      target.push_back(t);
    } else {
      target.replace(target.cbegin() + static_cast<std::ptrdiff_t>(it->second), t);
    }
    written(it->second);
  }
}

// Applies change records to the snapshot's table: a record's cash, numbers and latest bar
// replace the snapshot's, its positions, marks and orders replace theirs, its fills follow. Keeps
// where each entry it wrote came from, so that the checks of the whole account name the record.
struct ChangeMerger {
  toml::table& root;
  std::unordered_map<std::string, std::size_t> position_at, mark_at, order_at;
  std::unordered_map<std::string, std::string> origin;  // "order[3]" -> "change 5 of <log> ..."

  void apply(toml::table& record, const Reader& r) {
    (void)r.decimal(record, "cash");  // a bad figure is named with its record
    root.insert_or_assign("cash", r.text(record, "cash"));
    root.insert_or_assign("next_order_number", r.integer(record, "next_order_number"));
    root.insert_or_assign("next_trade_number", r.integer(record, "next_trade_number"));
    if (auto ts = r.opt_integer(record, "latest_bar_ts")) {
      root.insert_or_assign("latest_bar_ts", *ts);
      if (record.contains("latest_bar_symbol"))
        root.insert_or_assign("latest_bar_symbol", r.text(record, "latest_bar_symbol"));
      else
        root.erase("latest_bar_symbol");
    }
    for (const auto& [key, id_key, at] :
         {std::tuple{"position", "symbol", &position_at}, std::tuple{"mark", "symbol", &mark_at},
          std::tuple{"order", "id", &order_at}})
      replace_entries(root, record, key, id_key, *at, r,
                      [&, key = key](std::size_t i) { note(key, i, r); });
    toml::array& fills = array_in(root, "fill", r);
    std::size_t k = 0;
    for (auto& n : array_in(record, "fill", r)) {
      fills.push_back(r.nested("fill", k++).table(n));
      note("fill", fills.size() - 1, r);
    }
  }
  // Entry `i` of `key` as the checks name it: with the record it came from, if it came from one.
  std::string where(std::string_view key, std::size_t i) const {
    std::string entry = std::string(key) + "[" + std::to_string(i) + "]";
    if (auto it = origin.find(entry); it != origin.end()) entry += " (from " + it->second + ")";
    return entry;
  }

 private:
  void note(std::string_view key, std::size_t i, const Reader& r) {
    origin[std::string(key) + "[" + std::to_string(i) + "]"] = r.file + " " + r.where;
  }
};

// Applies the records of the log at `path` numbered after `folded` (the last one the snapshot
// holds) with `merger`, in order. Returns the number of the last record read. Text after the last
// record's end line is a record a crash cut short, never reported: ignored.
std::uint64_t apply_change_log(ChangeMerger& merger, const std::string& path,
                               std::uint64_t folded) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the paper account's change log");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error(path + ": cannot read the paper account's change log");
  std::uint64_t last = folded;
  std::optional<std::uint64_t> previous;  // the number of the record before, stale or applied
  std::size_t record_begin = 0, record_line = 1, line = 1;
  for (std::size_t pos = 0; pos < text.size(); ++line) {
    const std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) break;  // an unfinished line: part of a torn record
    const std::string_view content(text.data() + pos, eol - pos);
    const std::size_t line_begin = pos;
    pos = eol + 1;
    if (!content.starts_with(kEndOfChange.substr(0, kEndOfChange.size() - 1))) continue;
    const std::string where = path + ":" + std::to_string(line);
    const std::optional<std::uint64_t> parsed = number_after(kEndOfChange, content);
    if (!parsed)
      throw std::runtime_error(where + ": the paper account's change log is corrupt: '" +
                               std::string(content) + "' is not an end line ('" +
                               std::string(kEndOfChange) + "<n>')");
    const std::uint64_t number = *parsed;
    const std::uint64_t expected = previous ? *previous + 1 : folded + 1;
    if (previous ? number != expected : number > expected)
      throw std::runtime_error(
          where + ": the paper account's change log is corrupt: change " + std::to_string(number) +
          " where change " + std::to_string(expected) + " was due" +
          (previous ? "" : " (the state file holds changes up to " + std::to_string(folded) + ")"));
    previous = number;
    if (number > folded) {
      toml::table record;
      try {
        record = toml::parse(
            std::string_view(text.data() + record_begin, line_begin - record_begin), path);
      } catch (const toml::parse_error& e) {
        throw std::runtime_error(
            path + ":" + std::to_string(record_line + e.source().begin.line - 1) +
            ": the paper account's change log is corrupt: " + std::string(e.description()));
      }
      merger.apply(record, Reader{path, "change " + std::to_string(number) + " (ending on line " +
                                            std::to_string(line) + ")"});
      last = number;
    }
    record_begin = pos;
    record_line = line + 1;
  }
  return last;
}

// Ids the broker numbers as it issues them ("paper-<n>", "paper-t<n>"), met in the order issued:
// each must come after the one before and below the next number to issue, or the broker would
// issue one twice (and the kernel, which tells fills apart by trade id, drop a real fill).
class IssuedIds {
 public:
  IssuedIds(const std::string& file, std::string_view key, std::string_view counter,
            std::uint64_t next)
      : file_(file), key_(key), counter_(counter), next_(next) {}

  void take(const std::string& where, const std::string& id, std::uint64_t number) {
    if (number <= last_ || number >= next_)
      throw std::runtime_error(file_ + ": " + where + ": " + std::string(key_) + " '" + id +
                               "' must " +
                               (last_ == 0 ? std::string() : "come after '" + last_id_ + "' and ") +
                               "be below " + std::string(counter_) + " " + std::to_string(next_));
    last_ = number;
    last_id_ = id;
  }

 private:
  const std::string& file_;
  std::string_view key_;      // "venue_order_id" / "trade_id"
  std::string_view counter_;  // "next_order_number" / "next_trade_number"
  std::uint64_t next_;
  std::uint64_t last_ = 0;  // 0: none met yet
  std::string last_id_;
};

std::optional<sdk::OrderEventType> parse_event_type(std::string_view t) {
  for (auto type : {sdk::OrderEventType::Accepted, sdk::OrderEventType::PartiallyFilled, sdk::OrderEventType::Filled,
                    sdk::OrderEventType::Canceled, sdk::OrderEventType::Rejected, sdk::OrderEventType::Expired})
    if (sdk::to_string(type) == t) return type;
  return std::nullopt;
}

template <typename T>
T require(std::optional<T> v, const std::string& file, const std::string& where, const char* what) {
  if (!v) throw std::runtime_error(file + ": " + where + ": unreadable " + what);
  return *v;
}

}  // namespace

struct PaperBroker::StateTables {
  static toml::table order(const OrderRecord& o) {
    toml::table t{{"id", o.id.str()},
                  {"symbol", o.intent.symbol.str()},
                  {"side", std::string(sdk::to_string(o.intent.side))},
                  {"type", std::string(sdk::to_string(o.intent.type))},
                  {"time_in_force", std::string(sdk::to_string(o.intent.time_in_force))},
                  {"quantity", dec(o.intent.quantity)},
                  {"tag", o.intent.tag},
                  {"venue_order_id", o.venue_order_id},
                  {"filled", dec(o.filled)},
                  {"open", o.open},
                  {"final_state", std::string(sdk::to_string(o.final_state))},
                  {"stop_triggered", o.stop_triggered},
                  {"submits", o.submits}};
    if (o.intent.limit_price) t.insert("limit_price", dec(*o.intent.limit_price));
    if (o.intent.stop_price) t.insert("stop_price", dec(*o.intent.stop_price));
    if (o.not_before) t.insert("not_before", o.not_before->ns);
    if (o.session_day) t.insert("session_day", *o.session_day);
    return t;
  }
  static toml::table fill(const sdk::OrderEvent& f) {
    return toml::table{{"id", f.client_order_id.str()},
                       {"type", std::string(sdk::to_string(f.type))},
                       {"symbol", f.symbol.str()},
                       {"side", std::string(sdk::to_string(f.side))},
                       {"ts", f.ts.ns},
                       {"trade_id", f.trade_id.str()},
                       {"quantity", dec(f.fill_quantity)},
                       {"price", dec(f.fill_price)},
                       {"commission", dec(f.commission)},
                       {"leaves", dec(f.leaves_quantity)},
                       {"venue_order_id", f.venue_order_id}};
  }
  static toml::table position(const sdk::Symbol& symbol, const sdk::Position& p) {
    return toml::table{{"symbol", symbol.str()},
                       {"quantity", dec(p.quantity)},
                       {"average_price", dec(p.average_price)},
                       {"market_price", dec(p.market_price)},
                       {"realized_pnl", dec(p.realized_pnl)},
                       {"commissions", dec(p.commissions)}};
  }
  static toml::table mark(const sdk::Symbol& symbol, Decimal price) {
    return toml::table{{"symbol", symbol.str()}, {"price", dec(price)}};
  }
  // What every save states whole: cash, the last bar fully matched, the next numbers.
  static void scalars(const PaperBroker& b, toml::table& t) {
    t.insert("cash", dec(b.account_.cash()));
    if (const auto& m = b.matched_through_) {
      t.insert("latest_bar_ts", m->ts.ns);
      if (!m->whole_time) t.insert("latest_bar_symbol", m->symbol.str());
    }
    t.insert("next_order_number", static_cast<std::int64_t>(b.next_order_number_));
    t.insert("next_trade_number", static_cast<std::int64_t>(b.next_trade_number_));
  }
};

std::string PaperBroker::save_state() {
  snapshot_due_ = true;  // until the snapshot is written and the log emptied
  toml::table root;
  root.insert("version", kStateVersion);
  root.insert("last_change", static_cast<std::int64_t>(last_change_));
  StateTables::scalars(*this, root);
  toml::array positions, marks, orders, fills;
  for (const auto& [symbol, p] : account_.position_records())
    positions.push_back(StateTables::position(symbol, p));
  for (const auto& [symbol, price] : account_.marks())
    marks.push_back(StateTables::mark(symbol, price));
  for (const OrderRecord& o : orders_) orders.push_back(StateTables::order(o));
  for (const FillRecord& r : fills_) fills.push_back(StateTables::fill(fill_event(r)));
  root.insert("position", std::move(positions));
  root.insert("mark", std::move(marks));
  root.insert("order", std::move(orders));
  root.insert("fill", std::move(fills));
  std::ostringstream out;
  out << "# mercurio.brokers.paper simulated account: written by the broker, do not edit while it runs\n"
      << "# (changes since this snapshot are in "
      << std::filesystem::path(state_log_path()).filename().string() << ")\n";
  write_toml(out, root);
  out << "\n";
  if (std::string error = durable_file::write_durably(settings_.state_file, out.str());
      !error.empty())
    return error;
  // Every record of the log is in the snapshot now, which names the last: a crash before the log
  // is emptied leaves records the next load skips. Emptied it must be: appends may not follow a
  // torn record.
  std::error_code ec;
  std::filesystem::resize_file(state_log_path(), 0, ec);
  if (ec && ec != std::errc::no_such_file_or_directory)
    return "cannot empty " + state_log_path() + ": " + ec.message();
  changes_in_log_ = 0;
  entries_in_snapshot_ = orders_.size() + fills_.size();
  fills_saved_ = fills_.size();
  marks_unsaved_.clear();
  snapshot_due_ = false;
  return {};
}

std::string PaperBroker::append_change(std::span<const std::size_t> orders) {
  toml::table record;
  StateTables::scalars(*this, record);
  toml::array positions, marks, changed, fills;
  std::set<sdk::Symbol> symbols;
  for (std::size_t i : orders) {
    changed.push_back(StateTables::order(orders_[i]));
    symbols.insert(orders_[i].intent.symbol);
  }
  const auto& records = account_.position_records();
  for (const sdk::Symbol& symbol : symbols)
    if (auto p = records.find(symbol); p != records.end())
      positions.push_back(StateTables::position(symbol, p->second));
  for (const sdk::Symbol& symbol : marks_unsaved_)
    if (auto price = account_.last_price(symbol))
      marks.push_back(StateTables::mark(symbol, *price));
  for (std::size_t k = fills_saved_; k < fills_.size(); ++k)
    fills.push_back(StateTables::fill(fill_event(fills_[k])));
  record.insert("position", std::move(positions));
  record.insert("mark", std::move(marks));
  record.insert("order", std::move(changed));
  record.insert("fill", std::move(fills));
  std::ostringstream out;
  write_toml(out, record);
  out << "\n" << kEndOfChange << (last_change_ + 1) << "\n";
  // The number is used up even if the append fails: a failed append may still have left the whole
  // record in the log, and the next snapshot, which holds the change, must name it.
  ++last_change_;
  if (std::string error = durable_file::append_durably(state_log_path(), out.str()); !error.empty())
    return error;
  ++changes_in_log_;
  fills_saved_ = fills_.size();
  marks_unsaved_.clear();
  return {};
}

bool PaperBroker::log_holds_changes() const {
  std::error_code ec;
  return std::filesystem::exists(state_log_path(), ec) &&
         std::filesystem::file_size(state_log_path(), ec) > 0;
}

void PaperBroker::persist(std::string_view after, std::span<const std::size_t> orders) noexcept {
  if (settings_.state_file.empty() || sink_ == nullptr) return;
  // A snapshot costs as much as the orders and fills it holds: the next one once the log holds as
  // many records spreads that cost over as many changes, so a change costs the same on average
  // however long the account's history.
  const bool snapshot =
      snapshot_due_ || changes_in_log_ >= std::max(kMinChangesBeforeSnapshot, entries_in_snapshot_);
  bool failed = false;
  std::string error;
  try {
    error = snapshot ? save_state() : append_change(orders);
    failed = !error.empty();
  } catch (const std::exception& e) {  // e.g. out of memory building the record
    failed = true;
    try {
      error = e.what();
    } catch (...) {  // said below without it
    }
  } catch (...) {
    failed = true;
  }
  if (!failed) return;
  snapshot_due_ = true;
  try {
    sink_->on_fault(Status(StatusCode::Internal, "paper broker cannot save its account after " +
                                                     std::string(after) + ": " +
                                                     (error.empty() ? "an unknown error" : error)));
  } catch (...) {
    // The sink could not take the fault either; the next save is a whole snapshot all the same.
  }
}

std::string PaperBroker::load_state() {
  const std::string& file = settings_.state_file;
  try {
    toml::table root = toml::parse_file(file);
    Reader r{file, "top level"};
    const std::int64_t version = r.integer(root, "version");
    if (version != kStateVersion && version != 1)
      return file + ": state version " + std::to_string(version) +
             " is not one this broker reads (1 or " + std::to_string(kStateVersion) + ")";
    const std::int64_t folded = version == 1 ? 0 : r.integer(root, "last_change");
    if (folded < 0) return file + ": last_change must be 0 or more, was " + std::to_string(folded);
    // The changes since the snapshot, applied to its table: the result is checked as a whole below.
    std::uint64_t last_change = static_cast<std::uint64_t>(folded);
    ChangeMerger merger{root, {}, {}, {}, {}};
    if (std::filesystem::exists(state_log_path()))
      last_change = apply_change_log(merger, state_log_path(), last_change);
    // The scalars first: nothing is replaced until every part of the file has been read.
    const Decimal cash = r.decimal(root, "cash");
    const std::optional<std::int64_t> latest_bar_ts = r.opt_integer(root, "latest_bar_ts");
    std::optional<MatchedBar> matched;  // no symbol (a version 1 file): every bar of that time
    if (latest_bar_ts)
      matched = root.contains("latest_bar_symbol")
                    ? MatchedBar{sdk::Timestamp{*latest_bar_ts},
                                 sdk::Symbol(r.text(root, "latest_bar_symbol")), false}
                    : MatchedBar{sdk::Timestamp{*latest_bar_ts}, sdk::Symbol(), true};
    const std::uint64_t next_order_number = r.counter(root, "next_order_number");
    const std::uint64_t next_trade_number = r.counter(root, "next_trade_number");
    std::map<sdk::Symbol, sdk::Position> positions;
    std::map<sdk::Symbol, Decimal> marks;
    std::size_t k = 0;
    for (const auto& n : r.array(root, "position")) {
      Reader e{file, merger.where("position", k++)};
      const toml::table& t = e.table(n);
      sdk::Position p;
      p.symbol = sdk::Symbol(e.text(t, "symbol"));
      p.quantity = e.decimal(t, "quantity");
      p.average_price = e.decimal(t, "average_price");
      p.market_price = e.decimal(t, "market_price");
      p.realized_pnl = e.decimal(t, "realized_pnl");
      p.commissions = e.decimal(t, "commissions");
      positions[p.symbol] = p;
    }
    k = 0;
    for (const auto& n : r.array(root, "mark")) {
      Reader e{file, merger.where("mark", k++)};
      const toml::table& t = e.table(n);
      marks[sdk::Symbol(e.text(t, "symbol"))] = e.decimal(t, "price");
    }
    std::deque<OrderRecord> orders;
    IssuedIds venue_ids{file, "venue_order_id", "next_order_number", next_order_number};
    IssuedIds trade_ids{file, "trade_id", "next_trade_number", next_trade_number};
    k = 0;
    for (const auto& n : r.array(root, "order")) {
      const std::string where = merger.where("order", k++);
      Reader e{file, where};
      const toml::table& t = e.table(n);
      OrderRecord o;
      o.id = sdk::ClientOrderId(e.text(t, "id"));
      o.intent.symbol = sdk::Symbol(e.text(t, "symbol"));
      o.intent.side = require(sdk::parse_side(e.text(t, "side")), file, where, "side");
      o.intent.type = require(sdk::parse_order_type(e.text(t, "type")), file, where, "type");
      o.intent.time_in_force = require(sdk::parse_time_in_force(e.text(t, "time_in_force")), file, where, "time_in_force");
      o.intent.quantity = e.decimal(t, "quantity");
      o.intent.limit_price = e.opt_decimal(t, "limit_price");
      o.intent.stop_price = e.opt_decimal(t, "stop_price");
      o.intent.tag = e.text(t, "tag");
      o.venue_order_id = e.text(t, "venue_order_id");
      o.filled = e.decimal(t, "filled");
      o.open = e.boolean(t, "open");
      o.final_state = require(parse_event_type(e.text(t, "final_state")), file, where, "final_state");
      o.stop_triggered = e.boolean(t, "stop_triggered");
      o.submits = e.integer(t, "submits");
      if (auto nb = e.opt_integer(t, "not_before")) o.not_before = sdk::Timestamp{*nb};
      o.session_day = e.opt_integer(t, "session_day");
      // Only an accepted order has a venue id: "paper-<n>", numbered in submission order. It
      // passed the venue's checks: terms it could not have (a limit order without its limit
      // price) or a fill beyond its quantity are not this broker's writing, and matching it
      // would read a price that is not there.
      if (!o.venue_order_id.empty()) {
        venue_ids.take(where, o.venue_order_id,
                       require(venue_order_number_of(o.venue_order_id), file, where,
                               "venue_order_id (paper-<n>)"));
        if (std::string problem = order_terms_problem(o.intent); !problem.empty())
          throw std::runtime_error(file + ": " + where + ": " + problem);
        if (o.filled.is_negative() || o.filled > o.intent.quantity)
          throw std::runtime_error(file + ": " + where + ": filled " + o.filled.to_string() +
                                   " is outside 0.." + o.intent.quantity.to_string());
      }
      orders.push_back(std::move(o));
    }
    // A fill is kept as its order's index and its own figures, so each one must name an order of
    // this file and agree with it; anything else is not a file this broker wrote.
    OrderIndex order_index;
    for (std::size_t i = 0; i < orders.size(); ++i)
      if (!order_index.add(orders[i].id, i))
        throw std::runtime_error(file + ": " + merger.where("order", i) + ": client order id '" +
                                 orders[i].id.str() + "' appears twice");
    std::deque<FillRecord> fills;
    k = 0;
    for (const auto& n : r.array(root, "fill")) {
      const std::string where = merger.where("fill", k++);
      Reader e{file, where};
      const toml::table& t = e.table(n);
      FillRecord f;
      f.type = require(parse_event_type(e.text(t, "type")), file, where, "type");
      const std::string id = e.text(t, "id");
      const std::optional<std::size_t> order = order_index.find(sdk::ClientOrderId(id));
      if (!order)
        throw std::runtime_error(file + ": " + where + ": no order '" + id + "' in this file");
      f.order = *order;
      const OrderRecord& o = orders[f.order];
      if (sdk::Symbol(e.text(t, "symbol")) != o.intent.symbol ||
          require(sdk::parse_side(e.text(t, "side")), file, where, "side") != o.intent.side ||
          e.text(t, "venue_order_id") != o.venue_order_id)
        throw std::runtime_error(file + ": " + where + ": symbol, side or venue_order_id differ from order '" + id + "'");
      f.ts = sdk::Timestamp{e.integer(t, "ts")};
      const std::string trade_id = e.text(t, "trade_id");
      f.trade_number = require(trade_number_of(trade_id), file, where, "trade_id (paper-t<n>)");
      trade_ids.take(where, trade_id, f.trade_number);  // numbered in execution order
      f.quantity = e.decimal(t, "quantity");
      f.price = e.decimal(t, "price");
      f.commission = e.decimal(t, "commission");
      f.leaves = e.decimal(t, "leaves");
      fills.push_back(f);
    }
    // Everything read and what can fail built: only now replace the in-memory state, with moves and
    // swaps that cannot fail (all or nothing: a start that failed here can be retried).
    static_assert(std::is_nothrow_move_assignable_v<PaperAccount> &&
                  std::is_nothrow_move_assignable_v<OrderIndex>);
    PaperAccount account = PaperAccount::restored(cash, std::move(positions), std::move(marks));
    std::vector<WorkingOrder> open;
    for (std::size_t i = 0; i < orders.size(); ++i)
      if (orders[i].open) open.push_back(working(orders[i], i));
    account_ = std::move(account);
    orders_.swap(orders);
    fills_.swap(fills);
    index_by_id_ = std::move(order_index);
    open_.swap(open);
    if (matched) {
      latest_bar_ts_ = matched->ts;
      matched_through_ = matched;
    }
    next_order_number_ = next_order_number;
    next_trade_number_ = next_trade_number;
    last_change_ = last_change;
    fills_saved_ = fills_.size();
    snapshot_due_ = true;  // the start writes what was read as one snapshot
  } catch (const toml::parse_error& e) {
    return file + ":" + std::to_string(e.source().begin.line) + ": the paper account's state file is corrupt: " +
           std::string(e.description());
  } catch (const std::exception& e) {
    return std::string("the paper account's state file is unreadable: ") + e.what();
  }
  return {};
}

}  // namespace mercurio::brokers::paper
