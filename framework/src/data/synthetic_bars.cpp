#include "data/synthetic_bars.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numbers>
#include <ostream>
#include <stdexcept>
#include <vector>

namespace mercurio::kernel {

namespace {

using sdk::Decimal;
using sdk::Timestamp;

constexpr std::int64_t kRawPerCent = Decimal::kScale / 100;
constexpr double kTradingDaysPerYear = 252.0;
constexpr double kDailyVolume = 1'000'000.0;
constexpr double kMinPrice = 0.01;
constexpr double kMaxModelPrice = 1e9;
constexpr std::int64_t kSessionOpenNs = (13 * 3600 + 30 * 60) * Timestamp::kNanosPerSecond;
constexpr std::int64_t kNanosPerMinute = 60 * Timestamp::kNanosPerSecond;
constexpr std::int64_t kFirstDay = 0;  // 1970-01-01
// Timestamps are 64-bit nanoseconds, which end on 2262-04-11: stay before 2262.
constexpr std::int64_t kEndDay = sdk::time_detail::days_from_civil(2262, 1, 1);

// splitmix64 (Steele, Lea, Flood; public domain reference by Vigna): expands the seed into
// xoshiro's state so that nearby seeds give unrelated streams.
std::uint64_t splitmix64(std::uint64_t& x) noexcept {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }

// xoshiro256** 1.0 (Blackman and Vigna, public domain).
std::uint64_t xoshiro256starstar(std::uint64_t (&s)[4]) noexcept {
  const std::uint64_t result = rotl(s[1] * 5, 7) * 9;
  const std::uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

/// 0 = Sunday ... 6 = Saturday (1970-01-01 was a Thursday).
constexpr int weekday(std::int64_t day) noexcept {
  const std::int64_t w = (day + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}
constexpr bool is_weekend(std::int64_t day) noexcept {
  const int w = weekday(day);
  return w == 0 || w == 6;
}
constexpr std::int64_t first_weekday_from(std::int64_t day) noexcept {
  while (is_weekend(day)) ++day;
  return day;
}

std::int64_t to_cents(double price) noexcept {
  return std::max<std::int64_t>(1, std::llround(price * 100.0));
}
Decimal from_cents(std::int64_t cents) noexcept { return Decimal::from_raw(cents * kRawPerCent); }

[[noreturn]] void bad(std::string_view key, std::string_view expected, const std::string& was) {
  throw std::invalid_argument("synthetic bars: '" + std::string(key) + "' expected " +
                              std::string(expected) + ", was " + was);
}

std::string number(double v) {
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

/// Writes a positive whole number of cents as "units.cc".
char* put_cents(char* p, std::int64_t cents) noexcept {
  p = std::to_chars(p, p + 20, cents / 100).ptr;
  const auto frac = static_cast<int>(cents % 100);
  *p++ = '.';
  *p++ = static_cast<char>('0' + frac / 10);
  *p++ = static_cast<char>('0' + frac % 10);
  return p;
}

}  // namespace

std::optional<BarInterval> BarInterval::parse(std::string_view text) noexcept {
  if (text == "1d") return daily();
  std::string_view digits = text;
  if (digits.ends_with("min"))
    digits.remove_suffix(3);
  else if (digits.ends_with("m"))
    digits.remove_suffix(1);
  else
    return std::nullopt;
  int n = 0;
  const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || res.ec != std::errc{} || res.ptr != digits.data() + digits.size())
    return std::nullopt;
  if (n < 1 || n > kSessionMinutes || kSessionMinutes % n != 0) return std::nullopt;
  return of_minutes(n);
}

std::string BarInterval::to_string() const {
  return is_daily() ? "1d" : std::to_string(minutes) + "m";
}

void validate(const SyntheticBarParams& p) {
  const int m = p.interval.minutes;
  if (m != 0 &&
      (m < 1 || m > BarInterval::kSessionMinutes || BarInterval::kSessionMinutes % m != 0))
    bad("interval", "daily or a number of minutes dividing 390", std::to_string(m) + " minutes");
  if (p.start_price < Decimal::from_raw(kRawPerCent) ||
      p.start_price > Decimal::from_int(1'000'000))
    bad("start_price", "a price in [0.01, 1000000]", p.start_price.to_string());
  if (!std::isfinite(p.annual_drift) || std::fabs(p.annual_drift) > 10.0)
    bad("annual_drift", "a number in [-10, 10]", number(p.annual_drift));
  if (!std::isfinite(p.annual_volatility) || p.annual_volatility < 0.0 ||
      p.annual_volatility > 10.0)
    bad("annual_volatility", "a number in [0, 10]", number(p.annual_volatility));
  const std::int64_t first = p.start_date.utc_day();
  if (first < kFirstDay || first >= kEndDay)
    bad("start_date", "a date from 1970-01-01 to 2261-12-31", p.start_date.to_iso8601());
  // Weekdays needed, then at most 7 calendar days per 5 weekdays (+ a partial week).
  const std::uint64_t days_needed =
      p.bar_count / static_cast<std::uint64_t>(p.interval.bars_per_day()) + 1;
  const auto span_left = static_cast<std::uint64_t>(kEndDay - first);
  if (days_needed > span_left / 7 * 5)
    bad("bar_count", "few enough bars to end before 2262 (64-bit nanosecond timestamps)",
        std::to_string(p.bar_count));
}

SyntheticBarGenerator::SyntheticBarGenerator(const SyntheticBarParams& params)
    : symbol_(params.symbol), interval_(params.interval), remaining_(params.bar_count) {
  validate(params);
  std::uint64_t x = params.seed;
  for (auto& word : rng_) word = splitmix64(x);
  model_close_ = params.start_price.to_double();
  last_close_cents_ = params.start_price.raw() / kRawPerCent;
  const double dt = interval_.is_daily() ? 1.0 / kTradingDaysPerYear
                                         : static_cast<double>(interval_.minutes) /
                                               (kTradingDaysPerYear * BarInterval::kSessionMinutes);
  const double sigma = params.annual_volatility;
  drift_per_bar_ = (params.annual_drift - 0.5 * sigma * sigma) * dt;
  vol_per_bar_ = sigma * std::sqrt(dt);
  base_volume_ = kDailyVolume / interval_.bars_per_day();
  day_ = first_weekday_from(params.start_date.utc_day());
}

double SyntheticBarGenerator::uniform_open_closed() noexcept {
  return static_cast<double>((xoshiro256starstar(rng_) >> 11) + 1) * 0x1.0p-53;
}

double SyntheticBarGenerator::uniform() noexcept {
  return static_cast<double>(xoshiro256starstar(rng_) >> 11) * 0x1.0p-53;
}

double SyntheticBarGenerator::normal() noexcept {
  // Box-Muller: two uniforms give two independent normals; the second is kept for the next call.
  if (has_spare_normal_) {
    has_spare_normal_ = false;
    return spare_normal_;
  }
  const double r = std::sqrt(-2.0 * std::log(uniform_open_closed()));
  const double theta = 2.0 * std::numbers::pi * uniform();
  spare_normal_ = r * std::sin(theta);
  has_spare_normal_ = true;
  return r * std::cos(theta);
}

void SyntheticBarGenerator::advance_time() noexcept {
  if (++bar_in_day_ < interval_.bars_per_day()) return;
  bar_in_day_ = 0;
  day_ = first_weekday_from(day_ + 1);
}

sdk::Bar SyntheticBarGenerator::next() {
  if (remaining_ == 0) throw std::out_of_range("synthetic bars: no bars left");
  --remaining_;

  // Always draw the same five normals per bar, so every bar consumes the same amount of the stream.
  const double z_close = normal();
  const double z_gap = normal();
  const double z_high = normal();
  const double z_low = normal();
  const double z_volume = normal();

  model_close_ = std::clamp(model_close_ * std::exp(drift_per_bar_ + vol_per_bar_ * z_close),
                            kMinPrice, kMaxModelPrice);
  const double open =
      static_cast<double>(last_close_cents_) / 100.0 * std::exp(0.1 * vol_per_bar_ * z_gap);
  const double high =
      std::max(open, model_close_) * std::exp(0.5 * vol_per_bar_ * std::fabs(z_high));
  const double low =
      std::min(open, model_close_) * std::exp(-0.5 * vol_per_bar_ * std::fabs(z_low));

  const std::int64_t open_c = to_cents(open);
  const std::int64_t close_c = to_cents(model_close_);
  const std::int64_t high_c = std::max({to_cents(high), open_c, close_c});
  const std::int64_t low_c = std::min({to_cents(low), open_c, close_c});
  const std::int64_t volume =
      std::max<std::int64_t>(1, std::llround(base_volume_ * std::exp(0.3 * z_volume)));
  last_close_cents_ = close_c;

  sdk::Bar bar;
  bar.ts = Timestamp{day_ * Timestamp::kNanosPerDay +
                     (interval_.is_daily()
                          ? 0
                          : kSessionOpenNs + bar_in_day_ * interval_.minutes * kNanosPerMinute)};
  bar.symbol = symbol_;
  bar.open = from_cents(open_c);
  bar.high = from_cents(high_c);
  bar.low = from_cents(low_c);
  bar.close = from_cents(close_c);
  bar.volume = Decimal::from_int(volume);
  advance_time();
  return bar;
}

std::uint64_t write_synthetic_csv(const SyntheticBarParams& params, std::ostream& out) {
  SyntheticBarGenerator generator(params);
  constexpr std::size_t kBufferSize = 1 << 16;
  constexpr std::size_t kMaxRow = 32 + 4 * 24 + 24 + 8;  // timestamp, 4 prices, volume, separators
  std::vector<char> buffer(kBufferSize);
  char* const begin = buffer.data();
  char* p = begin;
  auto flush = [&] {
    out.write(begin, p - begin);
    if (!out) throw std::runtime_error("synthetic bars: writing the CSV failed");
    p = begin;
  };

  constexpr std::string_view kHeader = "timestamp,open,high,low,close,volume\n";
  p = std::copy(kHeader.begin(), kHeader.end(), p);
  std::uint64_t rows = 0;
  while (generator.remaining() > 0) {
    const sdk::Bar bar = generator.next();
    p += bar.ts.format_iso8601(p);
    *p++ = ',';
    p = put_cents(p, bar.open.raw() / kRawPerCent);
    *p++ = ',';
    p = put_cents(p, bar.high.raw() / kRawPerCent);
    *p++ = ',';
    p = put_cents(p, bar.low.raw() / kRawPerCent);
    *p++ = ',';
    p = put_cents(p, bar.close.raw() / kRawPerCent);
    *p++ = ',';
    p = std::to_chars(p, p + 20, bar.volume.raw() / Decimal::kScale).ptr;
    *p++ = '\n';
    ++rows;
    if (static_cast<std::size_t>(p - begin) > kBufferSize - kMaxRow) flush();
  }
  flush();
  return rows;
}

}  // namespace mercurio::kernel
