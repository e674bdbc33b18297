#pragma once
/// @file always_open_calendar.hpp
/// A market that never closes (code "24/7"), e.g. crypto venues. is_open() is always true. So
/// that daily bookkeeping has sessions to count, each UTC day is one session [00:00Z, next
/// 00:00Z) dated by its UTC date; next_open() and next_close() both return the next UTC midnight.
///
/// Supported range: 1678-01-01..2261-12-31, the UTC days whose both ends a Timestamp (int64
/// nanoseconds) can hold, the same years Timestamp::parse_iso8601 accepts.

#include "calendar/market_calendar.hpp"

namespace mercurio::kernel {

class AlwaysOpenCalendar final : public MarketCalendar {
 public:
  static constexpr std::string_view kCode = "24/7";
  static constexpr CivilDate kFirstDate{1678, 1, 1};
  static constexpr CivilDate kLastDate{2261, 12, 31};

  std::string_view code() const noexcept override { return kCode; }
  SessionDate first_date() const noexcept override { return kFirstDate; }
  SessionDate last_date() const noexcept override { return kLastDate; }

  bool is_open(sdk::Timestamp t) const override;
  std::optional<Session> session_on(SessionDate date) const override;
  sdk::Timestamp next_open(sdk::Timestamp t) const override;
  sdk::Timestamp next_close(sdk::Timestamp t) const override;
  SessionDate session_date(sdk::Timestamp t) const override;
  std::vector<Session> sessions(SessionDate from, SessionDate to) const override;

 private:
  /// The UTC day of `t`; std::out_of_range outside the supported range.
  static std::int64_t utc_day(sdk::Timestamp t);
  static void check_date(const SessionDate& date);
  static Session session_of_day(std::int64_t day) noexcept;
};

}  // namespace mercurio::kernel
