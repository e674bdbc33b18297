#include "calendar/market_calendar.hpp"

#include <array>
#include <cstdio>

#include <date/date.h>

#include "calendar/always_open_calendar.hpp"
#include "calendar/nyse_calendar.hpp"

namespace mercurio::kernel {

namespace {

date::year_month_day to_ymd(const CivilDate& d) noexcept {
  return date::year_month_day{date::year{d.year}, date::month{d.month}, date::day{d.day}};
}

bool read_digits(std::string_view s, std::size_t pos, std::size_t n, std::uint32_t& out) noexcept {
  std::uint32_t v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
  }
  out = v;
  return true;
}

constexpr std::array<std::string_view, 4> kCodes = {NyseCalendar::kCode, AlwaysOpenCalendar::kCode,
                                                    "NYSE", "ALWAYS"};

}  // namespace

bool CivilDate::valid() const noexcept {
  // date::year holds -32767..32767; anything beyond is not a date we could mean.
  return year >= -32767 && year <= 32767 && month >= 1 && month <= 12 && day >= 1 && day <= 31 &&
         to_ymd(*this).ok();
}

std::int64_t CivilDate::days_since_epoch() const noexcept {
  return date::sys_days{to_ymd(*this)}.time_since_epoch().count();
}

CivilDate CivilDate::from_days_since_epoch(std::int64_t days) noexcept {
  const date::year_month_day ymd{date::sys_days{date::days{days}}};
  return {static_cast<std::int32_t>(int{ymd.year()}), unsigned{ymd.month()}, unsigned{ymd.day()}};
}

std::optional<CivilDate> CivilDate::parse(std::string_view text) noexcept {
  std::uint32_t y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !read_digits(text, 0, 4, y) ||
      !read_digits(text, 5, 2, m) || !read_digits(text, 8, 2, d))
    return std::nullopt;
  const CivilDate date{static_cast<std::int32_t>(y), m, d};
  if (!date.valid()) return std::nullopt;
  return date;
}

std::string CivilDate::to_string() const {
  char buf[32];
  const int n =
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(year), month, day);
  return std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
}

std::span<const std::string_view> calendar_codes() noexcept { return kCodes; }

std::unique_ptr<MarketCalendar> make_calendar(std::string_view code) {
  if (code == NyseCalendar::kCode || code == "NYSE") return std::make_unique<NyseCalendar>();
  if (code == AlwaysOpenCalendar::kCode || code == "ALWAYS")
    return std::make_unique<AlwaysOpenCalendar>();
  return nullptr;
}

}  // namespace mercurio::kernel
