#include "engine/run_statistics.hpp"

#include <cmath>
#include <cstdio>

namespace mercurio::kernel {

std::optional<double> annualized_sharpe(sdk::Decimal starting_equity,
                                        const std::vector<sdk::Decimal>& daily_equity) {
  std::vector<double> returns;
  double prev = starting_equity.to_double();
  for (const sdk::Decimal& close : daily_equity) {
    if (prev <= 0) return std::nullopt;  // a return on non-positive equity is meaningless
    returns.push_back(close.to_double() / prev - 1.0);
    prev = close.to_double();
  }
  if (returns.size() < 2) return std::nullopt;
  double mean = 0;
  for (double r : returns) mean += r;
  mean /= static_cast<double>(returns.size());
  double var = 0;
  for (double r : returns) var += (r - mean) * (r - mean);
  var /= static_cast<double>(returns.size() - 1);
  if (var <= 0) return std::nullopt;
  return mean / std::sqrt(var) * std::sqrt(252.0);
}

double RunStatistics::total_return() const {
  if (!starting_equity.is_positive()) return 0;
  return (final_equity - starting_equity).to_double() / starting_equity.to_double();
}

double RunStatistics::win_rate() const {
  if (round_trips.count == 0) return 0;
  return static_cast<double>(round_trips.winners) / static_cast<double>(round_trips.count);
}

std::string RunStatistics::format() const {
  std::string out;
  char line[256];
  auto add = [&](const char* label, const std::string& value) {
    std::snprintf(line, sizeof line, "  %-22s %s\n", label, value.c_str());
    out += line;
  };
  auto pct = [](double f) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f %%", f * 100.0);
    return std::string(b);
  };
  out += "Mercurio run summary (" + mode + ")\n";
  add("period", bars == 0 ? std::string("no bars") : first_bar.to_iso8601() + " .. " + last_bar.to_iso8601());
  add("bars", std::to_string(bars));
  if (warmup_bars > 0)
    add("warm-up bars", std::to_string(warmup_bars) + " (" + std::to_string(warmup_orders_refused) + " orders refused on them)");
  add("orders submitted", std::to_string(orders_submitted));
  add("orders denied", std::to_string(orders_denied));
  add("orders rejected", std::to_string(orders_rejected));
  add("fills", std::to_string(fills));
  add("open orders at end", std::to_string(open_orders_at_end));
  add("starting equity", starting_equity.to_string());
  add("final equity", final_equity.to_string());
  add("total return", pct(total_return()));
  add("max drawdown", pct(max_drawdown.to_double()));
  if (sharpe) {
    std::snprintf(line, sizeof line, "%.3f", *sharpe);
    add("sharpe (annualized)", line);
  } else {
    add("sharpe (annualized)", "n/a");
  }
  add("commissions", commissions.to_string());
  add("round trips", std::to_string(round_trips.count));
  add("win rate", round_trips.count == 0 ? std::string("n/a") : pct(win_rate()));
  if (plugin_faults) add("plugin faults", std::to_string(plugin_faults));
  std::snprintf(line, sizeof line, "%.3f s", wall_seconds);
  add("wall time", line);
  std::snprintf(line, sizeof line, "%.0f", wall_seconds > 0 ? static_cast<double>(bars) / wall_seconds : 0.0);
  add("bars per second", line);
  if (load_seconds) {
    std::snprintf(line, sizeof line, "%.3f s", *load_seconds);
    add("history load time", line);
  }
  if (replay_seconds) {
    std::snprintf(line, sizeof line, "%.3f s (%.0f bars per second)", *replay_seconds,
                  *replay_seconds > 0 ? static_cast<double>(bars) / *replay_seconds : 0.0);
    add("replay time", line);
  }
  return out;
}

}  // namespace mercurio::kernel
