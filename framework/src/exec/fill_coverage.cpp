#include "exec/fill_coverage.hpp"

namespace mercurio::kernel {
namespace {

FillCoverage coverage(sdk::Decimal ordered, const std::vector<BookedFill>& booked,
                      sdk::Decimal quantity, sdk::Decimal leaves) {
  sdk::Decimal held;  // the journal's fills cover the order from 0 up to here
  for (const BookedFill& f : booked) {
    held += f.quantity;
    if (ordered - f.leaves != held) return FillCoverage::Unknown;
  }
  const sdk::Decimal end = ordered - leaves;
  const sdk::Decimal start = end - quantity;
  if (start.is_negative()) return FillCoverage::Unknown;
  if (end <= held) return FillCoverage::Covered;
  if (start >= held) return FillCoverage::New;
  return FillCoverage::Overlapping;
}

}  // namespace

FillCoverage fill_coverage(sdk::Decimal ordered, const std::vector<BookedFill>& booked,
                           sdk::Decimal quantity, sdk::Decimal leaves) {
  if (!ordered.is_positive() || !quantity.is_positive() || leaves.is_negative())
    return FillCoverage::Unknown;
  try {
    return coverage(ordered, booked, quantity, leaves);
  } catch (const sdk::DecimalError&) {
    return FillCoverage::Unknown;  // figures beyond any real order's: they say nothing
  }
}

}  // namespace mercurio::kernel
