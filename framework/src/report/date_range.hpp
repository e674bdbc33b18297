#pragma once
// Which UTC calendar dates a report covers: both ends optional and inclusive.

#include <optional>

#include "calendar/market_calendar.hpp"
#include "mercurio/sdk/time.hpp"

namespace mercurio::report {

using kernel::CivilDate;

/// The UTC calendar date of an instant.
inline CivilDate utc_date(sdk::Timestamp t) noexcept { return CivilDate::from_days_since_epoch(t.utc_day()); }

struct DateRange {
  std::optional<CivilDate> from;  ///< first date included; none: from the journal's start
  std::optional<CivilDate> to;    ///< last date included; none: to the journal's end

  bool contains(CivilDate d) const noexcept { return (!from || d >= *from) && (!to || d <= *to); }
  bool contains(sdk::Timestamp t) const noexcept { return contains(utc_date(t)); }
};

}  // namespace mercurio::report
