#include "data/synthetic_bars.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using mercurio::kernel::BarInterval;
using mercurio::kernel::SyntheticBarGenerator;
using mercurio::kernel::SyntheticBarParams;
using mercurio::kernel::write_synthetic_csv;
using mercurio::sdk::Decimal;
using mercurio::sdk::Timestamp;

namespace {

struct Row {
  Timestamp ts;
  Decimal open, high, low, close, volume;
};

Timestamp date(const char* iso) { return *Timestamp::parse_iso8601(iso); }

SyntheticBarParams params(std::uint64_t bars, std::uint64_t seed = 7) {
  SyntheticBarParams p;
  p.start_date = date("2024-01-02");
  p.bar_count = bars;
  p.seed = seed;
  return p;
}

std::string csv(const SyntheticBarParams& p) {
  std::ostringstream out;
  EXPECT_EQ(write_synthetic_csv(p, out), p.bar_count);
  return out.str();
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == sep) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  return parts;
}

// Parses the CSV strictly; any malformed row fails the test.
std::vector<Row> parse(const std::string& text) {
  std::vector<std::string> lines = split(text, '\n');
  EXPECT_FALSE(lines.empty());
  EXPECT_EQ(lines.front(), "timestamp,open,high,low,close,volume");
  EXPECT_EQ(lines.back(), "") << "the file ends with a newline";
  std::vector<Row> rows;
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    const auto f = split(lines[i], ',');
    if (f.size() != 6) {
      ADD_FAILURE() << "line " << i + 1 << ": " << lines[i];
      continue;
    }
    auto ts = Timestamp::parse_iso8601(f[0]);
    auto o = Decimal::parse(f[1]), h = Decimal::parse(f[2]), l = Decimal::parse(f[3]),
         c = Decimal::parse(f[4]), v = Decimal::parse(f[5]);
    if (!ts || !o || !h || !l || !c || !v) {
      ADD_FAILURE() << "line " << i + 1 << ": " << lines[i];
      continue;
    }
    for (std::size_t k = 1; k <= 4; ++k) {
      const auto dot = f[k].find('.');
      EXPECT_TRUE(dot != std::string::npos && f[k].size() - dot == 3)
          << "two decimals: " << lines[i];
    }
    EXPECT_EQ(f[5].find('.'), std::string::npos) << "integer volume: " << lines[i];
    rows.push_back({*ts, *o, *h, *l, *c, *v});
  }
  return rows;
}

int weekday(Timestamp ts) {  // 0 = Sunday
  const std::int64_t w = (ts.utc_day() + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

}  // namespace

TEST(SyntheticBarsTest, SameSeedGivesIdenticalBytes) {
  const std::string a = csv(params(2000, 42));
  const std::string b = csv(params(2000, 42));
  EXPECT_GT(a.size(), 2000u * 40);
  EXPECT_EQ(a, b);
}

TEST(SyntheticBarsTest, DifferentSeedGivesDifferentPricesOnTheSameDates) {
  const auto a = parse(csv(params(300, 1)));
  const auto b = parse(csv(params(300, 2)));
  ASSERT_EQ(a.size(), b.size());
  int differing_closes = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].ts, b[i].ts);
    differing_closes += a[i].close != b[i].close;
  }
  EXPECT_GT(differing_closes, 290);
}

TEST(SyntheticBarsTest, EveryRowSatisfiesTheOhlcInvariants) {
  for (const BarInterval interval :
       {BarInterval::daily(), BarInterval::of_minutes(1), BarInterval::of_minutes(30)}) {
    SyntheticBarParams p = params(20'000, 99);
    p.interval = interval;
    p.annual_volatility = 1.5;  // wild, to stress rounding and the floor
    p.start_price = Decimal::from_string("3.17");
    const auto rows = parse(csv(p));
    ASSERT_EQ(rows.size(), p.bar_count) << interval.to_string();
    const Decimal cent = Decimal::from_string("0.01");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      SCOPED_TRACE(interval.to_string() + " row " + std::to_string(i));
      EXPECT_GE(r.high, std::max(r.open, r.close));
      EXPECT_LE(r.low, std::min(r.open, r.close));
      EXPECT_GE(r.low, cent);
      EXPECT_GT(r.volume, Decimal{});
      if (i > 0) {
        EXPECT_GT(r.ts, rows[i - 1].ts);
      }
      if (::testing::Test::HasFailure()) return;  // one bad row is enough to read
    }
  }
}

TEST(SyntheticBarsTest, DailyBarsAreConsecutiveWeekdaysAtMidnight) {
  SyntheticBarParams p = params(600);
  p.start_date = date("2024-01-06T15:00:00Z");  // a Saturday afternoon
  const auto rows = parse(csv(p));
  ASSERT_EQ(rows.size(), 600u);
  EXPECT_EQ(rows.front().ts, date("2024-01-08"));  // the Monday after
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const int w = weekday(rows[i].ts);
    ASSERT_TRUE(w >= 1 && w <= 5) << rows[i].ts.to_iso8601();
    ASSERT_EQ(rows[i].ts.ns % Timestamp::kNanosPerDay, 0) << rows[i].ts.to_iso8601();
    if (i > 0) {
      const std::int64_t gap = rows[i].ts.utc_day() - rows[i - 1].ts.utc_day();
      ASSERT_EQ(gap, w == 1 ? 3 : 1) << "no weekday skipped before " << rows[i].ts.to_iso8601();
    }
  }
  // 600 weekdays = 120 weeks: Monday 2024-01-08 + 120 weeks - 3 days = Friday 2026-04-24.
  EXPECT_EQ(rows.back().ts, date("2026-04-24"));
}

TEST(SyntheticBarsTest, MinuteBarsFillTheSessionFrom1330Z) {
  SyntheticBarParams p = params(78 * 2 + 3);
  p.interval = BarInterval::of_minutes(5);
  p.start_date = date("2024-01-05");  // a Friday
  const auto rows = parse(csv(p));
  ASSERT_EQ(rows.size(), 159u);
  EXPECT_EQ(rows[0].ts, date("2024-01-05T13:30:00Z"));
  EXPECT_EQ(rows[77].ts, date("2024-01-05T19:55:00Z"));
  EXPECT_EQ(rows[78].ts, date("2024-01-08T13:30:00Z"));  // Monday
  EXPECT_EQ(rows[155].ts, date("2024-01-08T19:55:00Z"));
  EXPECT_EQ(rows[156].ts, date("2024-01-09T13:30:00Z"));
  EXPECT_EQ(rows[158].ts, date("2024-01-09T13:40:00Z"));
}

TEST(SyntheticBarsTest, OneMinuteBarsGive390PerWeekday) {
  SyntheticBarParams p = params(390 * 5);
  p.interval = BarInterval::of_minutes(1);
  p.start_date = date("2024-01-08");  // Monday
  const auto rows = parse(csv(p));
  ASSERT_EQ(rows.size(), 1950u);
  EXPECT_EQ(rows[389].ts, date("2024-01-08T19:59:00Z"));
  EXPECT_EQ(rows[390].ts, date("2024-01-09T13:30:00Z"));
  EXPECT_EQ(rows.back().ts, date("2024-01-12T19:59:00Z"));  // Friday
}

TEST(SyntheticBarsTest, WritesExactlyTheRequestedNumberOfRows) {
  EXPECT_EQ(csv(params(0)), "timestamp,open,high,low,close,volume\n");
  EXPECT_EQ(parse(csv(params(1))).size(), 1u);
  EXPECT_EQ(parse(csv(params(12'345))).size(), 12'345u);  // crosses several buffer flushes
}

TEST(SyntheticBarsTest, GeneratorBarsMatchTheCsvRows) {
  SyntheticBarParams p = params(500, 5);
  p.symbol = "DEMO";
  const auto rows = parse(csv(p));
  SyntheticBarGenerator generator(p);
  for (const Row& r : rows) {
    ASSERT_EQ(generator.remaining(), static_cast<std::uint64_t>(rows.size() - (&r - rows.data())));
    const auto bar = generator.next();
    EXPECT_EQ(bar.symbol.view(), "DEMO");
    EXPECT_EQ(bar.ts, r.ts);
    EXPECT_EQ(bar.open, r.open);
    EXPECT_EQ(bar.high, r.high);
    EXPECT_EQ(bar.low, r.low);
    EXPECT_EQ(bar.close, r.close);
    EXPECT_EQ(bar.volume, r.volume);
  }
  EXPECT_EQ(generator.remaining(), 0u);
  EXPECT_THROW(generator.next(), std::out_of_range);
}

TEST(SyntheticBarsTest, WithoutDriftOrVolatilityThePriceStaysPut) {
  SyntheticBarParams p = params(50);
  p.annual_drift = 0.0;
  p.annual_volatility = 0.0;
  p.start_price = Decimal::from_string("123.45");
  for (const Row& r : parse(csv(p))) {
    EXPECT_EQ(r.open, p.start_price);
    EXPECT_EQ(r.high, p.start_price);
    EXPECT_EQ(r.low, p.start_price);
    EXPECT_EQ(r.close, p.start_price);
  }
}

TEST(SyntheticBarsTest, DriftCompoundsAtTheAnnualRate) {
  SyntheticBarParams p = params(252);
  p.annual_drift = 0.10;
  p.annual_volatility = 0.0;
  const auto rows = parse(csv(p));
  // One year of daily bars: 100 × e^0.1 = 110.517...
  EXPECT_EQ(rows.back().close, Decimal::from_string("110.52"));
}

TEST(SyntheticBarsTest, CloseToCloseVolatilityMatchesTheParameter) {
  SyntheticBarParams p = params(20'000, 2024);
  p.annual_drift = 0.0;
  p.annual_volatility = 0.25;
  p.start_price = Decimal::from_int(10'000);
  const auto rows = parse(csv(p));
  double sum = 0, sum_sq = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const double r = std::log(rows[i].close.to_double() / rows[i - 1].close.to_double());
    sum += r;
    sum_sq += r * r;
  }
  const double n = static_cast<double>(rows.size() - 1);
  const double stdev = std::sqrt((sum_sq - sum * sum / n) / (n - 1));
  const double expected = 0.25 / std::sqrt(252.0);
  EXPECT_NEAR(stdev / expected, 1.0, 0.03);  // sampling error at n = 20,000 is about 0.5 %
  EXPECT_NEAR(sum / n, -0.5 * 0.25 * 0.25 / 252.0, 4.0 * expected / std::sqrt(n));
}

TEST(SyntheticBarsTest, InvalidParametersAreRefusedWithTheKeyAndValue) {
  auto error = [](SyntheticBarParams p) -> std::string {
    try {
      SyntheticBarGenerator g(p);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no error";
  };
  SyntheticBarParams p = params(10);
  p.interval = BarInterval::of_minutes(7);
  EXPECT_EQ(error(p),
            "synthetic bars: 'interval' expected daily or a number of minutes dividing 390, was 7 "
            "minutes");
  p = params(10);
  p.start_price = Decimal{};
  EXPECT_EQ(error(p), "synthetic bars: 'start_price' expected a price in [0.01, 1000000], was 0");
  p = params(10);
  p.annual_volatility = -0.1;
  EXPECT_EQ(error(p), "synthetic bars: 'annual_volatility' expected a number in [0, 10], was -0.1");
  p = params(10);
  p.annual_drift = std::nan("");
  EXPECT_NE(error(p).find("'annual_drift' expected a number in [-10, 10]"), std::string::npos);
  p = params(10);
  p.start_date = date("1969-12-31");
  EXPECT_NE(error(p).find("'start_date'"), std::string::npos);
  p = params(100'000);  // daily from 2024: ~383 years, past the end of nanosecond timestamps
  EXPECT_EQ(
      error(p),
      "synthetic bars: 'bar_count' expected few enough bars to end before 2262 (64-bit nanosecond "
      "timestamps), was 100000");
  p = params(4'000'000'000ULL);
  p.interval = BarInterval::of_minutes(1);
  EXPECT_NE(error(p).find("'bar_count'"), std::string::npos);
  p = params(1'000'000);  // 1-minute bars: ~10 years, fine
  p.interval = BarInterval::of_minutes(1);
  EXPECT_EQ(error(p), "no error");
}

TEST(SyntheticBarsTest, IntervalParsing) {
  EXPECT_EQ(BarInterval::parse("1d"), BarInterval::daily());
  EXPECT_EQ(BarInterval::parse("1m"), BarInterval::of_minutes(1));
  EXPECT_EQ(BarInterval::parse("5m"), BarInterval::of_minutes(5));
  EXPECT_EQ(BarInterval::parse("15min"), BarInterval::of_minutes(15));
  EXPECT_EQ(BarInterval::parse("390m"), BarInterval::of_minutes(390));
  for (const char* bad : {"", "m", "0m", "7m", "-5m", "1h", "2d", "5", "5mins", "391m"})
    EXPECT_EQ(BarInterval::parse(bad), std::nullopt) << bad;
  EXPECT_EQ(BarInterval::of_minutes(15).to_string(), "15m");
  EXPECT_EQ(BarInterval::daily().to_string(), "1d");
}
