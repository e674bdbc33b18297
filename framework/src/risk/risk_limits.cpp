#include "risk/risk_limits.hpp"

#include <functional>
#include <limits>
#include <vector>

#include "calendar/market_calendar.hpp"
#include "config/toml_helpers.hpp"

namespace mercurio::kernel {

using sdk::Decimal;
using toml_helpers::column_of;
using toml_helpers::describe;
using toml_helpers::line_of;

std::string_view to_string(DrawdownAction action) noexcept {
  switch (action) {
    case DrawdownAction::Hold: return "hold";
    case DrawdownAction::CancelOpenOrders: return "cancel";
    case DrawdownAction::Flatten: return "flatten";
  }
  return "?";
}

std::optional<DrawdownAction> parse_drawdown_action(std::string_view text) noexcept {
  for (DrawdownAction a :
       {DrawdownAction::Hold, DrawdownAction::CancelOpenOrders, DrawdownAction::Flatten})
    if (text == to_string(a)) return a;
  return std::nullopt;
}

namespace {

// One limit key: how to read it into a RiskLimits, and which way is "tighter".
struct LimitKey {
  const char* key;
  bool integer;   // else decimal
  std::int64_t minimum;  // inclusive lower bound (decimals: > 0 when minimum is 1)
  std::function<void(RiskLimits&, const Decimal&, std::int64_t)> set;
  std::function<std::optional<Decimal>(const RiskLimits&)> get;
  bool larger_is_tighter = false;  // a window that remembers longer refuses more
};

#define MERCURIO_DECIMAL_LIMIT(name) \
  LimitKey{#name, false, 1, [](RiskLimits& l, const Decimal& d, std::int64_t) { l.name = d; }, \
           [](const RiskLimits& l) { return l.name; }}
#define MERCURIO_INTEGER_LIMIT(name, min) \
  LimitKey{#name, true, min, [](RiskLimits& l, const Decimal&, std::int64_t i) { l.name = i; }, \
           [](const RiskLimits& l) { return l.name ? std::optional<Decimal>(Decimal::from_int(*l.name)) : std::nullopt; }}

LimitKey larger_is_tighter(LimitKey k) {
  k.larger_is_tighter = true;
  return k;
}

const std::vector<LimitKey>& limit_keys() {
  static const std::vector<LimitKey> keys = {
      MERCURIO_DECIMAL_LIMIT(max_order_quantity),
      MERCURIO_DECIMAL_LIMIT(max_order_notional),
      MERCURIO_DECIMAL_LIMIT(price_collar_pct),
      MERCURIO_INTEGER_LIMIT(max_reference_age_seconds, 1),
      MERCURIO_DECIMAL_LIMIT(max_position_quantity),
      MERCURIO_DECIMAL_LIMIT(max_position_notional),
      MERCURIO_DECIMAL_LIMIT(max_gross_exposure_pct),
      MERCURIO_INTEGER_LIMIT(max_positions, 1),
      MERCURIO_INTEGER_LIMIT(max_open_orders, 1),
      MERCURIO_INTEGER_LIMIT(max_orders_per_minute, 1),
      MERCURIO_INTEGER_LIMIT(order_burst, 1),
      larger_is_tighter(MERCURIO_INTEGER_LIMIT(duplicate_window_seconds, 0)),
  };
  return keys;
}
#undef MERCURIO_DECIMAL_LIMIT
#undef MERCURIO_INTEGER_LIMIT

class Reader {
 public:
  Reader(const std::string& file, ConfigIssues& issues) : file_(file), issues_(issues) {}

  void issue(const toml::node* node, const std::string& path, std::string message) {
    issues_.add(file_, node ? line_of(*node) : 0, node ? column_of(*node) : 0, path, std::move(message));
  }

  std::optional<Decimal> decimal(const toml::node& node, const std::string& path, bool positive) {
    std::optional<Decimal> v;
    if (const auto* s = node.as_string()) v = Decimal::parse(s->get());
    else if (const auto* i = node.as_integer(); i && i->get() > -90'000'000'000 && i->get() < 90'000'000'000)
      v = Decimal::from_int(i->get());
    if (!v) {
      issue(&node, path, "expected a decimal number (e.g. \"2.5\" or 100), was " + describe(node));
      return std::nullopt;
    }
    if (positive && !v->is_positive()) {
      issue(&node, path, "expected a value > 0, was " + v->to_string());
      return std::nullopt;
    }
    return v;
  }

  // Integer limits are compared as decimals (an override against [risk]), so at most the largest
  // whole decimal: 92,233,720,368, which is still "no limit" for a count or a number of seconds.
  std::optional<std::int64_t> integer(const toml::node& node, const std::string& path, std::int64_t minimum) {
    constexpr std::int64_t kMaximum = std::numeric_limits<std::int64_t>::max() / Decimal::kScale;
    const auto* i = node.as_integer();
    if (!i) {
      issue(&node, path, "expected an integer, was " + describe(node));
      return std::nullopt;
    }
    if (i->get() < minimum || i->get() > kMaximum) {
      issue(&node, path,
            "expected an integer from " + std::to_string(minimum) + " to " +
                std::to_string(kMaximum) + ", was " + std::to_string(i->get()));
      return std::nullopt;
    }
    return i->get();
  }

  std::optional<SymbolSet> symbols(const toml::node& node, const std::string& path) {
    const auto* arr = node.as_array();
    if (!arr) {
      issue(&node, path, "expected an array of symbols, was " + describe(node));
      return std::nullopt;
    }
    SymbolSet out;
    for (std::size_t k = 0; k < arr->size(); ++k) {
      const auto* s = (*arr)[k].as_string();
      if (!s || s->get().empty() || !sdk::Symbol::fits(s->get()))
        issue(&(*arr)[k], path + "[" + std::to_string(k) + "]", "expected a symbol of 1 to 31 characters, was " + describe((*arr)[k]));
      else
        out.insert(s->get());
    }
    return out;
  }

  // Reads every limit key present in `table` into `limits`.
  void read_limits(const toml::table& table, const std::string& prefix, RiskLimits& limits) {
    for (const auto& k : limit_keys()) {
      const toml::node* node = table.get(k.key);
      if (!node) continue;
      const std::string path = prefix + "." + k.key;
      if (k.integer) {
        if (auto v = integer(*node, path, k.minimum)) k.set(limits, Decimal{}, *v);
      } else if (auto d = decimal(*node, path, true)) {
        k.set(limits, *d, 0);
      }
    }
    if (const toml::node* n = table.get("symbols_allow"))
      if (auto s = symbols(*n, prefix + ".symbols_allow")) limits.symbols_allow = std::move(*s);
    if (const toml::node* n = table.get("symbols_deny"))
      if (auto s = symbols(*n, prefix + ".symbols_deny")) limits.symbols_deny = std::move(*s);
    if (const toml::node* n = table.get("calendar")) {
      const auto* s = n->as_string();
      std::string known;
      for (auto code : calendar_codes()) known += (known.empty() ? "\"" : ", \"") + std::string(code) + "\"";
      bool ok = false;
      if (s)
        for (auto code : calendar_codes()) ok = ok || code == s->get();
      if (ok) limits.calendar = s->get();
      else issue(n, prefix + ".calendar", "expected a market calendar (" + known + "), was " + describe(*n));
    }
    if (const toml::node* n = table.get("allow_outside_market_hours")) {
      if (const auto* b = n->as_boolean()) limits.allow_outside_market_hours = b->get();
      else issue(n, prefix + ".allow_outside_market_hours", "expected true or false, was " + describe(*n));
    }
  }

 private:
  const std::string& file_;
  ConfigIssues& issues_;
};

std::string key_list(std::initializer_list<const char*> extra) {
  std::string list;
  for (const auto& k : limit_keys()) list += (list.empty() ? "" : ", ") + std::string(k.key);
  for (const char* e : extra) list += std::string(", ") + e;
  return list;
}

bool is_limit_key(std::string_view key) {
  for (const auto& k : limit_keys())
    if (key == k.key) return true;
  return key == "symbols_allow" || key == "symbols_deny" || key == "calendar" || key == "allow_outside_market_hours";
}

}  // namespace

RiskConfig parse_risk_table(const toml::table* table, const std::string& file, ConfigIssues& issues) {
  RiskConfig config;
  Reader reader(file, issues);
  if (!table) {
    reader.issue(nullptr, "risk",
                 "missing [risk] table: Mercurio does not trade without limits (fail closed); every limit must be set, "
                 "see the README's \"Risk\" section");
    return config;
  }
  for (auto&& [key, node] : *table) {
    const std::string_view k = key.str();
    if (!is_limit_key(k) && k != "max_daily_loss_pct" && k != "max_drawdown_pct" && k != "drawdown_action" &&
        k != "max_fills_per_window" && k != "fills_window_seconds" && k != "max_consecutive_rejections")
      reader.issue(&node, "risk." + std::string(k),
                   "unknown key; expected one of: " + key_list({"max_daily_loss_pct", "max_drawdown_pct", "drawdown_action",
                                                                 "max_fills_per_window", "fills_window_seconds",
                                                                 "max_consecutive_rejections"}));
  }
  reader.read_limits(*table, "risk", config.limits);
  for (const auto& k : limit_keys())
    if (!table->get(k.key)) reader.issue(table, "risk." + std::string(k.key), "missing limit (there is no implicit \"unlimited\")");
  for (const char* key : {"max_daily_loss_pct", "max_drawdown_pct"}) {
    const toml::node* node = table->get(key);
    if (!node) {
      reader.issue(table, std::string("risk.") + key, "missing limit (there is no implicit \"unlimited\")");
      continue;
    }
    if (auto d = reader.decimal(*node, std::string("risk.") + key, true)) {
      if (*d > Decimal::from_int(100)) reader.issue(node, std::string("risk.") + key, "expected a percentage <= 100, was " + d->to_string());
      (std::string_view(key) == "max_daily_loss_pct" ? config.max_daily_loss_pct : config.max_drawdown_pct) = *d;
    }
  }
  if (!table->get("calendar"))
    reader.issue(table, "risk.calendar", "missing: the market calendar orders are checked against (\"XNYS\" or \"24/7\")");
  if (!table->get("allow_outside_market_hours"))
    reader.issue(table, "risk.allow_outside_market_hours", "missing: whether orders may be sent while the market is closed");
  for (const char* key : {"max_fills_per_window", "fills_window_seconds"}) {
    const toml::node* node = table->get(key);
    if (!node) {
      reader.issue(table, std::string("risk.") + key, "missing limit (there is no implicit \"unlimited\")");
      continue;
    }
    if (auto v = reader.integer(*node, std::string("risk.") + key, 1))
      (std::string_view(key) == "max_fills_per_window" ? config.max_fills_per_window : config.fills_window_seconds) = *v;
  }
  // Optional: its default is a limit too (there is still no "unlimited").
  if (const toml::node* node = table->get("max_consecutive_rejections"))
    if (auto v = reader.integer(*node, "risk.max_consecutive_rejections", 1))
      config.max_consecutive_rejections = *v;
  if (const toml::node* node = table->get("drawdown_action")) {
    const auto* s = node->as_string();
    if (auto a = parse_drawdown_action(s ? s->get() : std::string()))
      config.drawdown_action = *a;
    else reader.issue(node, "risk.drawdown_action", "expected \"hold\", \"cancel\" or \"flatten\", was " + describe(*node));
  } else {
    reader.issue(table, "risk.drawdown_action", "missing: what to do when the drawdown breaker trips (\"hold\", \"cancel\" or \"flatten\")");
  }
  return config;
}

RiskLimits parse_risk_override(const toml::table& table, const RiskLimits& global, const std::string& key_path,
                               const std::string& file, ConfigIssues& issues) {
  Reader reader(file, issues);
  RiskLimits limits;
  for (auto&& [key, node] : table)
    if (!is_limit_key(key.str()))
      reader.issue(&node, key_path + "." + std::string(key.str()), "unknown key; expected one of: " + key_list({"symbols_allow", "symbols_deny"}));
  reader.read_limits(table, key_path, limits);
  // An override can only tighten: a looser value would silently widen what [risk] promises.
  for (const auto& k : limit_keys()) {
    const auto mine = k.get(limits);
    const auto theirs = k.get(global);
    if (!mine || !theirs) continue;
    if (k.larger_is_tighter ? *mine < *theirs : *mine > *theirs)
      reader.issue(table.get(k.key), key_path + "." + k.key,
                   "an override can only tighten [risk]: expected at " +
                       std::string(k.larger_is_tighter ? "least " : "most ") + theirs->to_string() +
                       ", was " + mine->to_string());
  }
  if (limits.symbols_allow && global.symbols_allow)
    for (const auto& s : *limits.symbols_allow)
      if (!global.symbols_allow->count(s))
        reader.issue(table.get("symbols_allow"), key_path + ".symbols_allow",
                     "an override can only tighten [risk]: symbol \"" + s + "\" is not in risk.symbols_allow");
  if (limits.allow_outside_market_hours.value_or(false) && !global.allow_outside_market_hours.value_or(false))
    reader.issue(table.get("allow_outside_market_hours"), key_path + ".allow_outside_market_hours",
                 "an override can only tighten [risk]: risk.allow_outside_market_hours is false");
  return limits;
}

EffectiveLimits combine(const RiskLimits& global, const RiskLimits* broker, const RiskLimits* strategy) {
  EffectiveLimits e;
  auto pick = [&](auto member) {
    auto v = *(global.*member);
    for (const RiskLimits* o : {broker, strategy})
      if (o && (o->*member) && *(o->*member) < v) v = *(o->*member);
    return v;
  };
  auto pick_largest = [&](auto member) {
    auto v = *(global.*member);
    for (const RiskLimits* o : {broker, strategy})
      if (o && (o->*member) && *(o->*member) > v) v = *(o->*member);
    return v;
  };
  e.max_order_quantity = pick(&RiskLimits::max_order_quantity);
  e.max_order_notional = pick(&RiskLimits::max_order_notional);
  e.price_collar_pct = pick(&RiskLimits::price_collar_pct);
  e.max_reference_age_seconds = pick(&RiskLimits::max_reference_age_seconds);
  e.max_position_quantity = pick(&RiskLimits::max_position_quantity);
  e.max_position_notional = pick(&RiskLimits::max_position_notional);
  e.max_gross_exposure_pct = pick(&RiskLimits::max_gross_exposure_pct);
  e.max_positions = pick(&RiskLimits::max_positions);
  e.max_open_orders = pick(&RiskLimits::max_open_orders);
  e.max_orders_per_minute = pick(&RiskLimits::max_orders_per_minute);
  e.order_burst = pick(&RiskLimits::order_burst);
  e.duplicate_window_seconds = pick_largest(&RiskLimits::duplicate_window_seconds);
  e.symbols_allow = global.symbols_allow;
  e.symbols_deny = global.symbols_deny;
  e.calendar = global.calendar.value_or("XNYS");
  e.allow_outside_market_hours = global.allow_outside_market_hours.value_or(false);
  for (const RiskLimits* o : {broker, strategy}) {
    if (!o) continue;
    if (o->symbols_allow) {
      if (!e.symbols_allow) {
        e.symbols_allow = o->symbols_allow;
      } else {
        SymbolSet both;
        for (const auto& s : *o->symbols_allow)
          if (e.symbols_allow->count(s)) both.insert(s);
        e.symbols_allow = std::move(both);
      }
    }
    e.symbols_deny.insert(o->symbols_deny.begin(), o->symbols_deny.end());
    // The venue's own calendar (e.g. "24/7" for crypto); a strategy cannot name one (refused).
    if (o == broker && o->calendar) e.calendar = *o->calendar;
    if (o->allow_outside_market_hours && !*o->allow_outside_market_hours) e.allow_outside_market_hours = false;
  }
  return e;
}

}  // namespace mercurio::kernel
