#pragma once
// The tax report's inputs from the journal: every fill and each broker's opening balance, merged
// into one time-ordered stream for the FIFO lot matcher.

#include <string>
#include <vector>

#include "report/journal_reader.hpp"
#include "report/tax_lots.hpp"

namespace mercurio::report {

/// Shown with every tax report (help, output, README).
inline constexpr const char* kTaxNotice =
    "A record-keeping aid, not tax advice: FIFO lots per broker and symbol from the journal; wash sales, "
    "corporate actions and the broker's own lot elections are not applied. Check against your broker's "
    "tax documents and a tax professional.";

struct TaxReport {
  TaxYearReport year;
  std::vector<std::string> warnings;  ///< what the lots may miss (balance adjustments, ...)
};

/// The lot transactions in the order they are applied: fills by venue time, each broker's first
/// opening balance (its positions as lots at the balance's time, cost = quantity x average price)
/// before any fill journaled after it. Also returns warnings about what the stream cannot show.
std::vector<LotTransaction> lot_transactions(const std::vector<FillRow>& fills, const std::vector<BalanceRow>& balances,
                                             std::vector<std::string>& warnings);

TaxReport build_tax_report(const std::vector<FillRow>& fills, const std::vector<BalanceRow>& balances, int year);

}  // namespace mercurio::report
