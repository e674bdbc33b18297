// The paper broker's persistent account (config key state_file): everything a real venue would still
// know after the trading process died — cash, positions, marks, every order with its fills, the
// trade log and how far its market has moved. Saved whole and durably after every change.

#include <fstream>
#include <sstream>
#include <type_traits>
#include <unordered_map>

#include <toml++/toml.h>

#include "mercurio/durable_file/durable_file.hpp"
#include "paper_broker.hpp"

namespace mercurio::brokers::paper {

using sdk::Decimal;
using sdk::Status;
using sdk::StatusCode;

namespace {

constexpr std::int64_t kStateVersion = 1;

std::string dec(sdk::Decimal d) { return d.to_string(); }

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
    if (!n->is_array()) throw std::runtime_error(file + ": " + std::string(key) + " is not an array of tables");
    return *n->as_array();
  }
};

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

std::string PaperBroker::save_state() const {
  toml::table root;
  root.insert("version", kStateVersion);
  root.insert("cash", dec(account_.cash()));
  if (latest_bar_ts_) root.insert("latest_bar_ts", latest_bar_ts_->ns);
  root.insert("next_order_number", static_cast<std::int64_t>(next_order_number_));
  root.insert("next_trade_number", static_cast<std::int64_t>(next_trade_number_));
  toml::array positions, marks, orders, fills;
  for (const auto& [symbol, p] : account_.position_records())
    positions.push_back(toml::table{{"symbol", symbol.str()}, {"quantity", dec(p.quantity)}, {"average_price", dec(p.average_price)},
                                    {"market_price", dec(p.market_price)}, {"realized_pnl", dec(p.realized_pnl)},
                                    {"commissions", dec(p.commissions)}});
  for (const auto& [symbol, price] : account_.marks()) marks.push_back(toml::table{{"symbol", symbol.str()}, {"price", dec(price)}});
  for (const OrderRecord& o : orders_) {
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
    orders.push_back(std::move(t));
  }
  for (const FillRecord& r : fills_) {
    const sdk::OrderEvent f = fill_event(r);
    fills.push_back(toml::table{{"id", f.client_order_id.str()}, {"type", std::string(sdk::to_string(f.type))},
                                {"symbol", f.symbol.str()}, {"side", std::string(sdk::to_string(f.side))}, {"ts", f.ts.ns},
                                {"trade_id", f.trade_id.str()}, {"quantity", dec(f.fill_quantity)}, {"price", dec(f.fill_price)},
                                {"commission", dec(f.commission)}, {"leaves", dec(f.leaves_quantity)},
                                {"venue_order_id", f.venue_order_id}});
  }
  root.insert("position", std::move(positions));
  root.insert("mark", std::move(marks));
  root.insert("order", std::move(orders));
  root.insert("fill", std::move(fills));
  std::ostringstream out;
  out << "# mercurio.brokers.paper simulated account: written by the broker, do not edit while it runs\n" << root << "\n";
  return durable_file::write_durably(settings_.state_file, out.str());
}

void PaperBroker::persist(std::string_view after) {
  if (settings_.state_file.empty() || sink_ == nullptr) return;
  if (std::string error = save_state(); !error.empty())
    sink_->on_fault(Status(StatusCode::Internal, "paper broker cannot save its account after " + std::string(after) + ": " + error));
}

std::string PaperBroker::load_state() {
  const std::string& file = settings_.state_file;
  try {
    toml::table root = toml::parse_file(file);
    Reader r{file, "top level"};
    if (r.integer(root, "version") != kStateVersion)
      return file + ": state version " + std::to_string(r.integer(root, "version")) + " is not one this broker reads (" +
             std::to_string(kStateVersion) + ")";
    // The scalars first: nothing is replaced until every part of the file has been read.
    const Decimal cash = r.decimal(root, "cash");
    const std::optional<std::int64_t> latest_bar_ts = r.opt_integer(root, "latest_bar_ts");
    const std::uint64_t next_order_number = r.counter(root, "next_order_number");
    const std::uint64_t next_trade_number = r.counter(root, "next_trade_number");
    std::map<sdk::Symbol, sdk::Position> positions;
    std::map<sdk::Symbol, Decimal> marks;
    std::size_t k = 0;
    for (const auto& n : r.array(root, "position")) {
      Reader e{file, "position[" + std::to_string(k++) + "]"};
      const toml::table& t = *n.as_table();
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
      Reader e{file, "mark[" + std::to_string(k++) + "]"};
      marks[sdk::Symbol(e.text(*n.as_table(), "symbol"))] = e.decimal(*n.as_table(), "price");
    }
    std::deque<OrderRecord> orders;
    IssuedIds venue_ids{file, "venue_order_id", "next_order_number", next_order_number};
    IssuedIds trade_ids{file, "trade_id", "next_trade_number", next_trade_number};
    k = 0;
    for (const auto& n : r.array(root, "order")) {
      const std::string where = "order[" + std::to_string(k++) + "]";
      Reader e{file, where};
      const toml::table& t = *n.as_table();
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
      // Only an accepted order has a venue id: "paper-<n>", numbered in submission order.
      if (!o.venue_order_id.empty())
        venue_ids.take(where, o.venue_order_id,
                       require(venue_order_number_of(o.venue_order_id), file, where,
                               "venue_order_id (paper-<n>)"));
      orders.push_back(std::move(o));
    }
    // A fill is kept as its order's index and its own figures, so each one must name an order of
    // this file and agree with it; anything else is not a file this broker wrote.
    OrderIndex order_index;
    for (std::size_t i = 0; i < orders.size(); ++i)
      if (!order_index.add(orders[i].id, i))
        throw std::runtime_error(file + ": order[" + std::to_string(i) + "]: client order id '" + orders[i].id.str() +
                                 "' appears twice");
    std::deque<FillRecord> fills;
    k = 0;
    for (const auto& n : r.array(root, "fill")) {
      const std::string where = "fill[" + std::to_string(k++) + "]";
      Reader e{file, where};
      const toml::table& t = *n.as_table();
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
    if (latest_bar_ts) latest_bar_ts_ = sdk::Timestamp{*latest_bar_ts};
    next_order_number_ = next_order_number;
    next_trade_number_ = next_trade_number;
  } catch (const toml::parse_error& e) {
    return file + ":" + std::to_string(e.source().begin.line) + ": the paper account's state file is corrupt: " +
           std::string(e.description());
  } catch (const std::exception& e) {
    return std::string("the paper account's state file is unreadable: ") + e.what();
  }
  return {};
}

}  // namespace mercurio::brokers::paper
