#pragma once
// Whether a fill the broker lists under a trade id the journal has never seen is new, or a part of
// its order the journal already holds under other trade ids. A venue may report the same
// executions in more than one way: the Alpaca plugin, when it misses the stream's fill events and
// cannot read the activities, reports every execution it missed as one fill (the venue's average
// price, a trade id of its own); after a restart the venue lists them one by one, under ids the
// journal never saw. Booking those would book the same shares twice.

#include <vector>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// One fill the journal holds of an order: its quantity and the order's quantity left open after
/// it (OrderEvent::leaves_quantity).
struct BookedFill {
  sdk::Decimal quantity;
  sdk::Decimal leaves;
};

enum class FillCoverage {
  New,          ///< beyond everything the journal holds of the order: book it
  Covered,      ///< within what the journal holds of the order: booked already, not again
  Overlapping,  ///< partly within: neither booking it nor dropping it is right
  Unknown,      ///< the figures do not say (no order, leaves that do not add up): book it
};

/// `ordered`: the order's quantity; `booked`: the journal's fills of the order, in the order they
/// were booked; `quantity` / `leaves`: the listed fill's. Every fill covers the part of its order
/// from (ordered - leaves - quantity) to (ordered - leaves). The journal's fills cover the order
/// from 0 up to their sum only when each one's leaves say so: then a fill ending at or below that
/// sum is Covered, one starting at or above it New, and one across it Overlapping. Fills whose
/// leaves do not add up (fills booked out of execution order, a plugin that leaves `leaves` at 0)
/// leave the answer Unknown, and the fill is booked as any fill with an unseen trade id.
FillCoverage fill_coverage(sdk::Decimal ordered, const std::vector<BookedFill>& booked,
                           sdk::Decimal quantity, sdk::Decimal leaves);

}  // namespace mercurio::kernel
