// The hand-written baseline of issue 6: no framework, no plugins, no bus, no risk gate. It parses
// the same OHLCV CSV files Mercurio's paper broker reads, runs an SMA(short)/SMA(long) crossover
// per symbol and simulates market orders filled at the next bar's open - with exactly the rules of
// the moving-average plugin (long only, fixed quantity, strict crossover: a tie keeps the previous
// side) and of the paper broker (slippage in basis points on the open, commission per share with a
// minimum, decimals with 8 fractional digits rounded half to even). Every Mercurio figure in the
// benchmark table is a ratio to this program, measured in the same run on the same machine.
//
// Usage: reference_loop [options] SYMBOL=FILE...
//   --trades FILE        write the fills as CSV: timestamp_ns,symbol,side,quantity_raw,price_raw,commission_raw
//   --short N --long N   windows (default 10 / 30)
//   --quantity Q --slippage-bps B --commission-per-share C --commission-minimum M   (decimal text)
//   --replays N          replay the in-memory bars N more times and report the best (in-memory figure)
//   --verify             also recompute every crossover the slow, obvious way (each average summed
//                        from scratch on every bar) and report whether the fills are identical
// Prints key=value lines: bars, fills, parse_seconds, replay_seconds, best_replay_seconds, verify.
// All figures are from std::chrono::steady_clock; the whole-process time and peak RSS are measured
// by the harness that starts this program.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::int64_t kScale = 100'000'000;  // 8 fractional digits, like sdk::Decimal

struct Bar {
  std::int64_t ts;  // ns since the epoch, UTC
  std::int64_t open, high, low, close, volume;  // raw 1e-8 units
};

struct Series {
  std::string symbol;
  std::string path;
  std::vector<Bar> bars;
};

struct Fill {
  std::int64_t ts;
  std::size_t series;
  bool buy;
  std::int64_t quantity, price, commission;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "reference_loop: %s\n", what.c_str());
  std::exit(2);
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

unsigned digits(const char* p, int n) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) v = v * 10 + static_cast<unsigned>(p[i] - '0');
  return v;
}

// "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM:SSZ" (what `mercurio generate-bars` writes).
std::int64_t parse_ts(std::string_view s) {
  if (s.size() < 10) die("bad timestamp " + std::string(s));
  const char* p = s.data();
  std::int64_t ns = days_from_civil(digits(p, 4), digits(p + 5, 2), digits(p + 8, 2)) * 86'400'000'000'000;
  if (s.size() >= 19) ns += (digits(p + 11, 2) * 3600LL + digits(p + 14, 2) * 60LL + digits(p + 17, 2)) * 1'000'000'000;
  return ns;
}

// A non-negative decimal with at most 8 fractional digits, as raw 1e-8 units.
std::int64_t parse_decimal(std::string_view s) {
  std::int64_t units = 0;
  const char* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, units);
  if (ec != std::errc{}) die("bad number " + std::string(s));
  std::int64_t frac = 0, scale = kScale;
  if (p != end && *p == '.') {
    for (++p; p != end; ++p) {
      scale /= 10;
      frac += (*p - '0') * scale;
    }
  }
  return units * kScale + frac;
}

// Decimal product rounded half to even to 8 digits, like sdk::Decimal's operator*.
std::int64_t mul(std::int64_t a, std::int64_t b) {
  const __int128 p = static_cast<__int128>(a) * b;
  __int128 q = p / kScale;
  const __int128 r = p % kScale;
  const __int128 twice = (r < 0 ? -r : r) * 2;
  if (twice > kScale || (twice == kScale && (q % 2 != 0))) q += p < 0 ? -1 : 1;
  return static_cast<std::int64_t>(q);
}
std::int64_t div(std::int64_t a, std::int64_t b) {  // rounded half to even, b > 0
  const __int128 n = static_cast<__int128>(a) * kScale;
  __int128 q = n / b;
  const __int128 r = n % b;
  const __int128 twice = (r < 0 ? -r : r) * 2;
  if (twice > b || (twice == b && (q % 2 != 0))) q += n < 0 ? -1 : 1;
  return static_cast<std::int64_t>(q);
}

void load(Series& s) {
  std::FILE* f = std::fopen(s.path.c_str(), "rb");
  if (!f) die("cannot open " + s.path);
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  auto buf = std::make_unique_for_overwrite<char[]>(static_cast<std::size_t>(size));
  if (std::fread(buf.get(), 1, static_cast<std::size_t>(size), f) != static_cast<std::size_t>(size)) die("cannot read " + s.path);
  std::fclose(f);
  const std::string_view text(buf.get(), static_cast<std::size_t>(size));
  s.bars.reserve(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')));
  std::size_t pos = text.find('\n') + 1;  // header
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    std::string_view f6[6];
    for (int i = 0; i < 5; ++i) {
      const std::size_t c = line.find(',');
      f6[i] = line.substr(0, c);
      line.remove_prefix(c + 1);
    }
    f6[5] = line;
    s.bars.push_back({parse_ts(f6[0]), parse_decimal(f6[1]), parse_decimal(f6[2]), parse_decimal(f6[3]),
                      parse_decimal(f6[4]), parse_decimal(f6[5])});
  }
}

struct Params {
  std::size_t short_window = 10, long_window = 30;
  std::int64_t quantity = 100 * kScale;
  std::int64_t slippage_bps = 0;
  std::int64_t per_share = 0, minimum = 0;
};

// Fill rules of the paper broker for a market order: the next bar's open, slipped against the order.
void fill(const Params& p, const Bar& bar, std::size_t series, bool buy, std::vector<Fill>& out) {
  std::int64_t price = bar.open;
  if (p.slippage_bps != 0) {
    const std::int64_t fraction = div(p.slippage_bps, 10'000 * kScale);
    price = mul(price, buy ? kScale + fraction : kScale - fraction);
  }
  const std::int64_t commission = std::max(mul(p.per_share, p.quantity), p.minimum);
  out.push_back({bar.ts, series, buy, p.quantity, price, commission});
}

// The fast loop: running sums, one pass, per symbol.
void replay(const Params& p, const Series& s, std::size_t series, std::vector<Fill>& out) {
  std::vector<std::int64_t> ring_s(p.short_window, 0), ring_l(p.long_window, 0);
  std::size_t is = 0, il = 0, count = 0;
  __int128 sum_s = 0, sum_l = 0;
  int last_side = 0;  // sign of (short - long) where they last differed
  bool long_position = false;
  int pending = 0;  // +1 buy, -1 sell at the next bar's open
  for (const Bar& bar : s.bars) {
    if (pending != 0) {
      fill(p, bar, series, pending > 0, out);
      long_position = pending > 0;
      pending = 0;
    }
    sum_s += bar.close - ring_s[is];
    ring_s[is] = bar.close;
    is = is + 1 == p.short_window ? 0 : is + 1;
    sum_l += bar.close - ring_l[il];
    ring_l[il] = bar.close;
    il = il + 1 == p.long_window ? 0 : il + 1;
    if (++count < p.long_window) continue;
    const __int128 lhs = sum_s * static_cast<__int128>(p.long_window), rhs = sum_l * static_cast<__int128>(p.short_window);
    const int side = lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
    if (side == 0) continue;  // a tie keeps the previous side
    if (last_side == -1 && side == 1 && !long_position) pending = 1;
    if (last_side == 1 && side == -1 && long_position) pending = -1;
    last_side = side;
  }
}

// The slow, obvious computation: every average summed from scratch on every bar.
void replay_obvious(const Params& p, const Series& s, std::size_t series, std::vector<Fill>& out) {
  int last_side = 0;
  bool long_position = false;
  int pending = 0;
  for (std::size_t t = 0; t < s.bars.size(); ++t) {
    if (pending != 0) {
      fill(p, s.bars[t], series, pending > 0, out);
      long_position = pending > 0;
      pending = 0;
    }
    if (t + 1 < p.long_window) continue;
    __int128 sum_s = 0, sum_l = 0;
    for (std::size_t k = 0; k < p.long_window; ++k) {
      sum_l += s.bars[t - k].close;
      if (k < p.short_window) sum_s += s.bars[t - k].close;
    }
    const __int128 lhs = sum_s * static_cast<__int128>(p.long_window), rhs = sum_l * static_cast<__int128>(p.short_window);
    const int side = lhs > rhs ? 1 : lhs < rhs ? -1 : 0;
    if (side == 0) continue;
    if (last_side == -1 && side == 1 && !long_position) pending = 1;
    if (last_side == 1 && side == -1 && long_position) pending = -1;
    last_side = side;
  }
}

void sort_fills(std::vector<Fill>& fills, const std::vector<Series>& all) {
  std::stable_sort(fills.begin(), fills.end(), [&](const Fill& a, const Fill& b) {
    return a.ts != b.ts ? a.ts < b.ts : all[a.series].symbol < all[b.series].symbol;
  });
}

bool same(const std::vector<Fill>& a, const std::vector<Fill>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].ts != b[i].ts || a[i].series != b[i].series || a[i].buy != b[i].buy || a[i].quantity != b[i].quantity ||
        a[i].price != b[i].price || a[i].commission != b[i].commission)
      return false;
  return true;
}

double seconds(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

int main(int argc, char** argv) {
  Params p;
  std::string trades_path;
  int replays = 0;
  bool verify = false;
  std::vector<Series> all;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) die("missing value after " + std::string(a));
      return argv[++i];
    };
    if (a == "--trades") trades_path = value();
    else if (a == "--short") p.short_window = std::stoul(std::string(value()));
    else if (a == "--long") p.long_window = std::stoul(std::string(value()));
    else if (a == "--quantity") p.quantity = parse_decimal(value());
    else if (a == "--slippage-bps") p.slippage_bps = parse_decimal(value());
    else if (a == "--commission-per-share") p.per_share = parse_decimal(value());
    else if (a == "--commission-minimum") p.minimum = parse_decimal(value());
    else if (a == "--replays") replays = std::stoi(std::string(value()));
    else if (a == "--verify") verify = true;
    else if (const auto eq = a.find('='); eq != std::string_view::npos) all.push_back({std::string(a.substr(0, eq)), std::string(a.substr(eq + 1)), {}});
    else die("unknown argument " + std::string(a));
  }
  if (all.empty()) die("no SYMBOL=FILE given");
  if (p.short_window < 1 || p.long_window <= p.short_window) die("expected 1 <= short < long");

  const auto t0 = Clock::now();
  std::size_t bars = 0;
  for (auto& s : all) {
    load(s);
    bars += s.bars.size();
  }
  const auto t1 = Clock::now();
  std::vector<Fill> fills;
  fills.reserve(bars / 8);
  for (std::size_t i = 0; i < all.size(); ++i) replay(p, all[i], i, fills);
  sort_fills(fills, all);
  const auto t2 = Clock::now();

  double best = seconds(t1, t2);
  std::vector<Fill> again;
  again.reserve(fills.size());
  for (int r = 0; r < replays; ++r) {
    again.clear();
    const auto a = Clock::now();
    for (std::size_t i = 0; i < all.size(); ++i) replay(p, all[i], i, again);
    sort_fills(again, all);
    best = std::min(best, seconds(a, Clock::now()));
    if (!same(again, fills)) die("replays disagree");
  }

  const char* verdict = "skipped";
  if (verify) {
    std::vector<Fill> obvious;
    for (std::size_t i = 0; i < all.size(); ++i) replay_obvious(p, all[i], i, obvious);
    sort_fills(obvious, all);
    verdict = same(obvious, fills) ? "MATCH" : "MISMATCH";
  }

  if (!trades_path.empty()) {
    std::FILE* out = std::fopen(trades_path.c_str(), "wb");
    if (!out) die("cannot write " + trades_path);
    for (const Fill& f : fills)
      std::fprintf(out, "%lld,%s,%s,%lld,%lld,%lld\n", static_cast<long long>(f.ts), all[f.series].symbol.c_str(),
                   f.buy ? "buy" : "sell", static_cast<long long>(f.quantity), static_cast<long long>(f.price),
                   static_cast<long long>(f.commission));
    std::fclose(out);
  }
  std::printf("bars=%zu\nfills=%zu\nparse_seconds=%.6f\nreplay_seconds=%.6f\nbest_replay_seconds=%.6f\nverify=%s\n", bars,
              fills.size(), seconds(t0, t1), seconds(t1, t2), best, verdict);
  return verify && std::string_view(verdict) != "MATCH" ? 1 : 0;
}
