#pragma once
// The reports' rows and columns (README "Reports"): trades, orders, equity and tax.

#include <vector>

#include "report/date_range.hpp"
#include "report/journal_reader.hpp"
#include "report/report_writer.hpp"
#include "report/tax_report.hpp"

namespace mercurio::report {

/// One row per fill whose UTC date is in `range`.
Table trades_table(const std::vector<FillRow>& fills, const DateRange& range);
/// One row per order intent created in `range`, with what its fills (all of them, whatever their
/// date) add up to.
Table orders_table(const std::vector<OrderRow>& orders, const std::vector<FillRow>& fills, const DateRange& range);
/// One row per equity sample taken in `range`.
Table equity_table(const std::vector<EquityRow>& equity, const DateRange& range);
/// The disposals (row_type "disposal"), then three totals rows (row_type "total", term
/// short-term, long-term, all).
Table tax_csv_table(const TaxYearReport& report);
/// The disposals only (the JSON report carries the totals as an object).
Table tax_disposals_table(const TaxYearReport& report);
/// {"report":"tax","year":..,"notice":..,"disposals":[..],"totals":{..},"warnings":[..]}
Poco::JSON::Object::Ptr tax_json(const TaxReport& report);

}  // namespace mercurio::report
