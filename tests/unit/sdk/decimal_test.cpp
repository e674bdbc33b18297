#include "mercurio/sdk/decimal.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <random>
#include <vector>

using mercurio::sdk::Decimal;
using mercurio::sdk::DecimalError;

namespace {
Decimal d(const char* s) { return Decimal::from_string(s); }
}  // namespace

TEST(DecimalTest, ParsesAndFormatsPlainDecimals) {
  EXPECT_EQ(d("97.31").raw(), 9'731'000'000);
  EXPECT_EQ(d("-0.5").raw(), -50'000'000);
  EXPECT_EQ(d("+1.25").to_string(), "1.25");
  EXPECT_EQ(d("100").to_string(), "100");
  EXPECT_EQ(d("0.00000001").to_string(), "0.00000001");
  EXPECT_EQ(d("1.50000000000").to_string(), "1.5");  // trailing zeros beyond 8 digits are exact
  EXPECT_EQ(d("-0.000123").to_string(), "-0.000123");
  EXPECT_EQ(d(".5").to_string(), "0.5");
}

TEST(DecimalTest, RejectsMalformedOrInexactText) {
  for (const char* bad : {"", "-", ".", "1.2.3", "1e5", "abc", "1,5", " 1", "0.000000001", "NaN", "inf"}) {
    EXPECT_FALSE(Decimal::parse(bad).has_value()) << bad;
  }
  EXPECT_THROW(Decimal::from_string("12x"), DecimalError);
  EXPECT_FALSE(Decimal::parse("99999999999999999999").has_value());  // overflow
}

TEST(DecimalTest, SumsAreExactWhereDoublesAreNot) {
  Decimal sum;
  for (int i = 0; i < 10; ++i) sum += d("0.1");
  EXPECT_EQ(sum, d("1"));
  EXPECT_EQ(d("0.1") + d("0.2"), d("0.3"));
}

TEST(DecimalTest, ProductsAndQuotientsRoundHalfToEven) {
  EXPECT_EQ(d("1.5") * d("2"), d("3"));
  EXPECT_EQ(d("97.31") * d("150"), d("14596.5"));
  // 0.00000001 * 0.5 = 0.000000005 -> tie, rounds to even (0)
  EXPECT_EQ(d("0.00000001") * d("0.5"), d("0"));
  // 0.00000003 * 0.5 = 0.000000015 -> tie, rounds to even (0.00000002)
  EXPECT_EQ(d("0.00000003") * d("0.5"), d("0.00000002"));
  EXPECT_EQ(d("1") / d("3"), d("0.33333333"));
  EXPECT_EQ(d("2") / d("3"), d("0.66666667"));
  EXPECT_EQ(d("-2") / d("3"), d("-0.66666667"));
  EXPECT_EQ(d("10") / d("4"), d("2.5"));
}

TEST(DecimalTest, LargeProductsUse128BitIntermediates) {
  // 90,000 * 1,000,000 = 9e10 fits the result although the raw product needs more than 64 bits.
  EXPECT_EQ(d("90000") * d("1000000"), d("90000000000"));
}

TEST(DecimalTest, OverflowThrowsInsteadOfWrapping) {
  const Decimal big = Decimal::from_raw(std::numeric_limits<std::int64_t>::max());
  EXPECT_THROW(big + d("0.00000001"), DecimalError);
  EXPECT_THROW(-big - d("1"), DecimalError);
  EXPECT_THROW(big * d("2"), DecimalError);
  EXPECT_THROW(d("1") / d("0"), DecimalError);
  EXPECT_THROW(Decimal::from_int(std::numeric_limits<std::int64_t>::max()), DecimalError);
}

TEST(DecimalTest, RoundDownToLotSizeTruncatesTowardZero) {
  EXPECT_EQ(d("10.75").round_down_to(d("1")), d("10"));
  EXPECT_EQ(d("0.123456").round_down_to(d("0.001")), d("0.123"));
  EXPECT_EQ(d("-3.7").round_down_to(d("1")), d("-3"));
  EXPECT_THROW(d("1").round_down_to(d("0")), DecimalError);
}

TEST(DecimalTest, FromDoubleKeepsTheShortestDecimalSpelling) {
  EXPECT_EQ(Decimal::from_double(0.1), d("0.1"));
  EXPECT_EQ(Decimal::from_double(0.005), d("0.005"));
  EXPECT_EQ(Decimal::from_double(1.0 / 3.0), d("0.33333333"));
  EXPECT_THROW(Decimal::from_double(std::numeric_limits<double>::quiet_NaN()), DecimalError);
  EXPECT_THROW(Decimal::from_double(std::numeric_limits<double>::infinity()), DecimalError);
}

TEST(DecimalTest, OrdersLikeNumbers) {
  EXPECT_LT(d("-1"), d("0"));
  EXPECT_LT(d("0.00000001"), d("0.00000002"));
  EXPECT_GT(d("100.5"), d("100.49999999"));
  EXPECT_EQ(d("5").abs(), d("-5").abs());
}

// operator* divides the 128-bit product by 10^8 without a 128-bit division: it must equal the
// plain 128-bit computation, rounded half to even, for every magnitude and sign (or throw when
// the result leaves the range).
TEST(DecimalTest, ProductsEqualThePlain128BitComputation) {
  auto expected = [](std::int64_t a, std::int64_t b) -> std::optional<std::int64_t> {
    const __int128 p = static_cast<__int128>(a) * b;
    __int128 q = p / Decimal::kScale, r = p % Decimal::kScale;
    if (r < 0) r = -r;
    if (r * 2 > Decimal::kScale || (r * 2 == Decimal::kScale && q % 2 != 0)) q += p < 0 ? -1 : 1;
    if (q > std::numeric_limits<std::int64_t>::max() || q < std::numeric_limits<std::int64_t>::min()) return std::nullopt;
    return static_cast<std::int64_t>(q);
  };
  std::mt19937_64 rng(42);
  std::vector<std::int64_t> raws{0, 1, -1, 5, -5, 50'000'000, -50'000'000, 150'000'000, 250'000'000, Decimal::kScale,
                                 -Decimal::kScale, std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                 std::numeric_limits<std::int64_t>::max() / Decimal::kScale, 9'999'999'999'999'999};
  for (int i = 0; i < 4000; ++i) {
    const int bits = static_cast<int>(rng() % 63);
    std::int64_t v = static_cast<std::int64_t>(rng() >> (63 - bits));
    if (rng() % 2) v = -v;
    raws.push_back(v);
  }
  // Whole numbers (share counts): their products take a 64-bit path that must agree, overflow included.
  for (int i = 0; i < 600; ++i) {
    const int bits = static_cast<int>(rng() % 37);  // up to about 2^36 units: past the range, which is about 2^36.4
    std::int64_t units = static_cast<std::int64_t>(rng() >> (64 - bits - 1));
    if (rng() % 2) units = -units;
    std::int64_t raw = 0;
    if (!__builtin_mul_overflow(units, Decimal::kScale, &raw)) raws.push_back(raw);
  }
  for (std::size_t i = 0; i < raws.size(); ++i)
    for (std::size_t j = i; j < raws.size(); j += 1 + (i % 7) * 37) {
      const auto want = expected(raws[i], raws[j]);
      if (want) {
        EXPECT_EQ((Decimal::from_raw(raws[i]) * Decimal::from_raw(raws[j])).raw(), *want) << raws[i] << " x " << raws[j];
      } else {
        EXPECT_THROW(Decimal::from_raw(raws[i]) * Decimal::from_raw(raws[j]), DecimalError) << raws[i] << " x " << raws[j];
      }
    }
}

// operator/ divides by a positive whole number in 64 bits: every quotient must equal the plain
// 128-bit computation (a x 10^8 / b, rounded half to even), for whole and fractional divisors of
// every magnitude and sign, ties included (or throw when the result leaves the range).
TEST(DecimalTest, QuotientsEqualThePlain128BitComputation) {
  auto expected = [](std::int64_t a, std::int64_t b) -> std::optional<std::int64_t> {
    const __int128 n = static_cast<__int128>(a) * Decimal::kScale;
    __int128 q = n / b, r = n % b;
    if (r < 0) r = -r;
    const __int128 d = b < 0 ? -static_cast<__int128>(b) : b;
    if (r * 2 > d || (r * 2 == d && q % 2 != 0)) q += (n < 0) != (b < 0) ? -1 : 1;
    if (q > std::numeric_limits<std::int64_t>::max() || q < std::numeric_limits<std::int64_t>::min()) return std::nullopt;
    return static_cast<std::int64_t>(q);
  };
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> dividends{0, 1, -1, 5, -5, 50, -50, 150, 250, 350, Decimal::kScale, -Decimal::kScale,
                                      std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min(),
                                      std::numeric_limits<std::int64_t>::min() + 1, 9'999'999'999'999'999};
  for (int i = 0; i < 3000; ++i) {
    const int bits = static_cast<int>(rng() % 63);
    std::int64_t v = static_cast<std::int64_t>(rng() >> (63 - bits));
    if (rng() % 2) v = -v;
    dividends.push_back(v);
  }
  // Divisors: whole numbers (the 64-bit path: 1, 2, 3, 4, 100, large, the largest) and others.
  std::vector<std::int64_t> divisors{1, -1, 3, Decimal::kScale / 2, 3 * Decimal::kScale / 2};
  for (std::int64_t k : std::vector<std::int64_t>{1, 2, 3, 4, 7, 100, 1000, 123'456'789, std::numeric_limits<std::int64_t>::max() / Decimal::kScale}) {
    divisors.push_back(k * Decimal::kScale);
    divisors.push_back(-k * Decimal::kScale);
  }
  for (int i = 0; i < 200; ++i) {
    const int bits = static_cast<int>(rng() % 36);  // units below 2^36: units x 10^8 stays in range
    const std::int64_t units = 1 + static_cast<std::int64_t>(rng() >> (64 - bits - 1));
    divisors.push_back(units * Decimal::kScale);
    divisors.push_back(1 + static_cast<std::int64_t>(rng() >> (63 - bits)));  // a fractional one
  }
  for (std::int64_t a : dividends)
    for (std::size_t j = static_cast<std::size_t>(a & 7); j < divisors.size(); j += 5) {
      const std::int64_t b = divisors[j];
      const auto want = expected(a, b);
      if (want) {
        EXPECT_EQ((Decimal::from_raw(a) / Decimal::from_raw(b)).raw(), *want) << a << " / " << b;
      } else {
        EXPECT_THROW(Decimal::from_raw(a) / Decimal::from_raw(b), DecimalError) << a << " / " << b;
      }
    }
  // Ties round to even on the 64-bit path too: 0.00000005 / 2 -> 0.00000002, 0.00000003 / 2 -> 0.00000002.
  EXPECT_EQ(Decimal::from_raw(5) / Decimal::from_int(2), Decimal::from_raw(2));
  EXPECT_EQ(Decimal::from_raw(3) / Decimal::from_int(2), Decimal::from_raw(2));
  EXPECT_EQ(Decimal::from_raw(-3) / Decimal::from_int(2), Decimal::from_raw(-2));
}
