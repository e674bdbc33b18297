#pragma once
/// @file decimal.hpp
/// Exact fixed-point decimal for prices, quantities and cash.

#include <charconv>
#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mercurio::sdk {

/// Thrown when a decimal operation would overflow its 64-bit mantissa or divide by zero.
/// Money arithmetic never wraps silently.
class DecimalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Exact decimal with a fixed scale of 10^-8 stored in a signed 64-bit mantissa
/// (range about ±92 billion, step 0.00000001). Products and quotients use 128-bit
/// intermediates and round half to even; sums and differences are exact.
/// Binary floating point is never used for money: `to_double()` exists only for indicators.
/// Thread: value type, freely copyable.
class Decimal {
 public:
  static constexpr int kScaleDigits = 8;
  static constexpr std::int64_t kScale = 100'000'000;

  constexpr Decimal() noexcept = default;

  /// An integer amount (e.g. 100 shares). Throws DecimalError when out of range.
  static constexpr Decimal from_int(std::int64_t units) {
    std::int64_t raw = 0;
    if (__builtin_mul_overflow(units, kScale, &raw)) throw DecimalError("decimal overflow in from_int");
    return from_raw(raw);
  }
  /// The value raw * 10^-8.
  static constexpr Decimal from_raw(std::int64_t raw) noexcept {
    Decimal d;
    d.raw_ = raw;
    return d;
  }
  /// Parses "123", "-0.5", "+1.25", "1e-3" is not accepted (no exponent: prices are written plainly).
  /// Returns nullopt on malformed text, more than 8 fractional digits that are not zeros, or overflow.
  static constexpr std::optional<Decimal> parse(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    std::size_t i = 0;
    bool negative = false;
    if (text[0] == '-' || text[0] == '+') {
      negative = text[0] == '-';
      i = 1;
    }
    std::int64_t units = 0;
    std::int64_t frac = 0;
    int frac_digits = 0;
    bool any_digit = false;
    for (; i < text.size() && text[i] != '.'; ++i) {
      const char c = text[i];
      if (c < '0' || c > '9') return std::nullopt;
      if (__builtin_mul_overflow(units, 10, &units) || __builtin_add_overflow(units, c - '0', &units))
        return std::nullopt;
      any_digit = true;
    }
    if (i < text.size()) {  // fractional part
      ++i;
      for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c < '0' || c > '9') return std::nullopt;
        any_digit = true;
        if (frac_digits < kScaleDigits) {
          frac = frac * 10 + (c - '0');
          ++frac_digits;
        } else if (c != '0') {
          return std::nullopt;  // would lose precision: refuse rather than round money silently
        }
      }
    }
    if (!any_digit) return std::nullopt;
    for (; frac_digits < kScaleDigits; ++frac_digits) frac *= 10;
    std::int64_t raw = 0;
    if (__builtin_mul_overflow(units, kScale, &raw) || __builtin_add_overflow(raw, frac, &raw))
      return std::nullopt;
    return from_raw(negative ? -raw : raw);
  }
  /// Like parse() but throws DecimalError naming the text.
  static Decimal from_string(std::string_view text) {
    if (auto d = parse(text)) return *d;
    throw DecimalError("not a decimal with at most 8 fractional digits: \"" + std::string(text) + "\"");
  }
  /// Nearest decimal to a double (round half to even on the 8th digit); for indicator outputs
  /// and user-entered config numbers only. Throws DecimalError on NaN, infinity or overflow.
  static Decimal from_double(double value) {
    if (!(value == value) || value > 9.2e10 || value < -9.2e10)
      throw DecimalError("decimal from non-finite or out-of-range double");
    // Shortest round-trip text keeps "0.1" as 0.1 exactly instead of 0.1000000000000000055.
    char buf[512];  // fixed notation of any double in range fits
    auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed);
    if (res.ec != std::errc{}) throw DecimalError("decimal from double: cannot format value");
    std::string_view text(buf, static_cast<std::size_t>(res.ptr - buf));
    const auto dot = text.find('.');
    if (dot != std::string_view::npos && text.size() - dot - 1 > kScaleDigits) {
      const double scaled = value * static_cast<double>(kScale);
      return from_raw(static_cast<std::int64_t>(std::nearbyint(scaled)));
    }
    return from_string(text);
  }

  constexpr std::int64_t raw() const noexcept { return raw_; }
  constexpr bool is_zero() const noexcept { return raw_ == 0; }
  constexpr bool is_negative() const noexcept { return raw_ < 0; }
  constexpr bool is_positive() const noexcept { return raw_ > 0; }
  double to_double() const noexcept { return static_cast<double>(raw_) / static_cast<double>(kScale); }

  constexpr Decimal abs() const {
    if (raw_ == std::numeric_limits<std::int64_t>::min()) throw DecimalError("decimal overflow in abs");
    return from_raw(raw_ < 0 ? -raw_ : raw_);
  }
  constexpr Decimal operator-() const {
    if (raw_ == std::numeric_limits<std::int64_t>::min()) throw DecimalError("decimal overflow in negate");
    return from_raw(-raw_);
  }
  constexpr Decimal& operator+=(Decimal o) {
    if (__builtin_add_overflow(raw_, o.raw_, &raw_)) throw DecimalError("decimal overflow in +");
    return *this;
  }
  constexpr Decimal& operator-=(Decimal o) {
    if (__builtin_sub_overflow(raw_, o.raw_, &raw_)) throw DecimalError("decimal overflow in -");
    return *this;
  }
  friend constexpr Decimal operator+(Decimal a, Decimal b) { return a += b; }
  friend constexpr Decimal operator-(Decimal a, Decimal b) { return a -= b; }

  /// Product rounded half to even to 8 digits (128-bit intermediate).
  friend constexpr Decimal operator*(Decimal a, Decimal b) {
    // A whole number times a decimal (share counts: most quantities) is exact in 64 bits, and an
    // exact product rounds to itself: the same result as below, without the 128-bit scaling.
    std::int64_t exact = 0;
    if (a.raw_ % kScale == 0 && !__builtin_mul_overflow(a.raw_ / kScale, b.raw_, &exact)) return from_raw(exact);
    if (b.raw_ % kScale == 0 && !__builtin_mul_overflow(b.raw_ / kScale, a.raw_, &exact)) return from_raw(exact);
    const __int128 p = static_cast<__int128>(a.raw_) * b.raw_;
    return from_wide(scale_down(p), "*");
  }
  /// Quotient rounded half to even to 8 digits (128-bit intermediate).
  friend constexpr Decimal operator/(Decimal a, Decimal b) {
    if (b.raw_ == 0) throw DecimalError("decimal division by zero");
    // By a positive whole number k (percentages, counts): a / k is the same rational as the
    // scaled quotient below, so dividing in 64 bits and rounding the same way gives the same
    // result without a 128-bit division (the quotient is never larger than a: no overflow).
    if (b.raw_ > 0 && b.raw_ % kScale == 0) {
      const std::int64_t k = b.raw_ / kScale;
      std::int64_t q = a.raw_ / k;
      const std::int64_t r = a.raw_ % k;
      const std::int64_t twice = 2 * (r < 0 ? -r : r);  // |r| < k <= 2^63 / 10^8: no overflow
      if (twice > k || (twice == k && q % 2 != 0)) q += a.raw_ < 0 ? -1 : 1;
      return from_raw(q);
    }
    const __int128 n = static_cast<__int128>(a.raw_) * kScale;
    return from_wide(divide_round_half_even(n, b.raw_), "/");
  }
  /// Multiplies by an integer exactly.
  constexpr Decimal times(std::int64_t k) const {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(raw_, k, &r)) throw DecimalError("decimal overflow in times");
    return from_raw(r);
  }

  /// Largest multiple of `step` not greater than this value in magnitude (toward zero).
  /// Used to round order quantities down to a lot size. `step` must be positive.
  constexpr Decimal round_down_to(Decimal step) const {
    if (step.raw_ <= 0) throw DecimalError("decimal round_down_to needs a positive step");
    return from_raw((raw_ / step.raw_) * step.raw_);
  }

  friend constexpr auto operator<=>(Decimal, Decimal) noexcept = default;
  friend constexpr bool operator==(Decimal, Decimal) noexcept = default;

  /// Plain text without exponent and without trailing fractional zeros: "97.31", "-5", "0.00012".
  std::string to_string() const {
    char buf[32];
    return std::string(buf, format(buf));
  }
  /// Writes to_string() into `out` (at least 24 bytes) and returns the length. No allocation.
  std::size_t format(char* out) const noexcept {
    std::uint64_t mag = raw_ < 0 ? 0 - static_cast<std::uint64_t>(raw_) : static_cast<std::uint64_t>(raw_);
    std::uint64_t units = mag / kScale;
    std::uint64_t frac = mag % kScale;
    char* p = out;
    if (raw_ < 0) *p++ = '-';
    p = std::to_chars(p, p + 21, units).ptr;
    if (frac != 0) {
      *p++ = '.';
      char digits[kScaleDigits];
      for (int k = kScaleDigits - 1; k >= 0; --k) {
        digits[k] = static_cast<char>('0' + frac % 10);
        frac /= 10;
      }
      int last = kScaleDigits - 1;
      while (digits[last] == '0') --last;
      for (int k = 0; k <= last; ++k) *p++ = digits[k];
    }
    return static_cast<std::size_t>(p - out);
  }

 private:
  static constexpr __int128 divide_round_half_even(__int128 n, __int128 d) {
    if (d < 0) {
      n = -n;
      d = -d;
    }
    __int128 q = n / d;
    __int128 r = n % d;
    if (r < 0) r = -r;
    const __int128 twice = r * 2;
    if (twice > d || (twice == d && (q % 2 != 0))) q += (n < 0) ? -1 : 1;
    return q;
  }
  // n / 10^8 rounded half to even: the same result as divide_round_half_even(n, kScale), without
  // the 128-bit division library call (every product goes through here: risk checks, ledgers,
  // fills). |n| = hi * 2^64 + lo is divided in two 32-bit steps whose partial dividends fit in 64
  // bits, each a division by a constant the compiler turns into a multiplication. Products whose
  // quotient needs more than 64 bits (hi >= 10^8; they overflow anyway) take the general path.
  static constexpr __int128 scale_down(__int128 n) {
    const unsigned __int128 m = n < 0 ? -static_cast<unsigned __int128>(n) : static_cast<unsigned __int128>(n);
    const std::uint64_t hi = static_cast<std::uint64_t>(m >> 64);
    if (hi >= static_cast<std::uint64_t>(kScale)) return divide_round_half_even(n, kScale);
    constexpr std::uint64_t d = static_cast<std::uint64_t>(kScale);
    const std::uint64_t lo = static_cast<std::uint64_t>(m);
    const std::uint64_t t1 = (hi << 32) | (lo >> 32);  // hi < 10^8 < 2^27: fits
    const std::uint64_t q1 = t1 / d;                    // < 2^32
    const std::uint64_t t2 = ((t1 % d) << 32) | (lo & 0xFFFF'FFFFu);
    const std::uint64_t q2 = t2 / d;                    // < 2^32
    const std::uint64_t r = t2 % d;
    unsigned __int128 q = (static_cast<unsigned __int128>(q1) << 32) + q2;
    if (r * 2 > d || (r * 2 == d && (q & 1) != 0)) ++q;
    return n < 0 ? -static_cast<__int128>(q) : static_cast<__int128>(q);
  }
  static constexpr Decimal from_wide(__int128 v, const char* op) {
    if (v > std::numeric_limits<std::int64_t>::max() || v < std::numeric_limits<std::int64_t>::min())
      throw DecimalError(std::string("decimal overflow in ") + op);
    return from_raw(static_cast<std::int64_t>(v));
  }

  std::int64_t raw_ = 0;
};

}  // namespace mercurio::sdk
