#pragma once
// FIFO tax lots: which acquisition each disposal consumed, with fees in cost basis and proceeds.
// Pure (no journal, no I/O) so every rule is unit-tested on hand-computed cases.
//
// Rules (README "Reports"):
//  - lots are kept per (broker, symbol); transactions are applied in time order;
//  - a buy opens a long lot whose cost is quantity x price + commission; a sell consumes the oldest
//    long lots first; its proceeds are quantity x price - commission; both amounts are split over
//    the lots pro rata by quantity (the last piece takes the remainder, so nothing is lost to
//    rounding);
//  - a sell with no long lot left opens a short lot (proceeds = quantity x price - commission); a
//    later buy closes short lots oldest first. A short disposal is dated acquired = the buy-to-cover
//    date, sold = the short-sale date, belongs to the year it was covered and is short-term (the
//    covering shares are held for no time);
//  - a long lot is long-term when sold after the anniversary of its acquisition (sold > acquired +
//    1 year; a 29 February acquisition's anniversary is 28 February).
// Not handled: wash sales, corporate actions (splits, mergers), options, currencies.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/time.hpp"
#include "mercurio/sdk/types.hpp"
#include "report/date_range.hpp"

namespace mercurio::report {

/// One acquisition or disposal, as a fill or an opening-balance position.
struct LotTransaction {
  std::string broker;
  std::string symbol;
  sdk::Timestamp ts;
  sdk::Side side = sdk::Side::Buy;
  sdk::Decimal quantity;    ///< > 0
  sdk::Decimal price;       ///< >= 0
  sdk::Decimal commission;  ///< >= 0, for the whole transaction
  bool opening_balance = false;  ///< a position the account held at first start: real date unknown
  std::string reference;         ///< trade id (or "opening balance"), for error messages
};

enum class Term { ShortTerm, LongTerm };
enum class LotSide { Long, Short };
std::string_view to_string(Term term) noexcept;     // "short-term" | "long-term"
std::string_view to_string(LotSide side) noexcept;  // "long" | "short"

/// One lot (or part of one) closed by one transaction.
struct LotDisposal {
  std::string broker;
  std::string symbol;
  LotSide side = LotSide::Long;
  sdk::Decimal quantity;
  CivilDate acquired;  ///< long: the buy date; short: the buy-to-cover date
  CivilDate sold;      ///< long: the sell date; short: the short-sale date
  CivilDate closed;    ///< the date the position was closed; decides the tax year
  sdk::Decimal proceeds;
  sdk::Decimal cost_basis;
  Term term = Term::ShortTerm;
  bool opening_balance = false;  ///< the lot came from an opening balance: `acquired` is its date

  sdk::Decimal gain() const { return proceeds - cost_basis; }
};

/// True when a lot acquired on `acquired` and sold on `sold` was held more than one year.
bool is_long_term(CivilDate acquired, CivilDate sold) noexcept;

/// `total` x `part` / `whole` with one rounding (half to even, 8 digits). `whole` > 0.
sdk::Decimal pro_rata(sdk::Decimal total, sdk::Decimal part, sdk::Decimal whole);

class FifoLotMatcher {
 public:
  /// Applies the next transaction (callers keep time order). Throws ReportError on a non-positive
  /// quantity, a negative price or commission, naming the transaction's reference.
  void apply(const LotTransaction& t);

  const std::vector<LotDisposal>& disposals() const noexcept { return disposals_; }
  /// Open quantity: positive long, negative short, zero flat.
  sdk::Decimal open_quantity(const std::string& broker, const std::string& symbol) const;

 private:
  struct Lot {
    CivilDate date;
    sdk::Decimal quantity;  ///< remaining, > 0
    sdk::Decimal amount;    ///< remaining cost (long) or short-sale proceeds (short)
    bool opening_balance = false;
  };
  struct Book {
    LotSide side = LotSide::Long;  ///< side of every lot in `lots`
    std::deque<Lot> lots;
  };

  std::map<std::pair<std::string, std::string>, Book> books_;
  std::vector<LotDisposal> disposals_;
};

struct TaxTotals {
  sdk::Decimal proceeds;
  sdk::Decimal cost_basis;
  sdk::Decimal gain;

  void add(const LotDisposal& d);
};

struct TaxYearReport {
  int year = 0;
  std::vector<LotDisposal> rows;  ///< disposals closed in `year`, in the order they happened
  TaxTotals short_term;
  TaxTotals long_term;
  TaxTotals total;
};

/// The disposals closed in `year` (UTC dates) with their totals.
TaxYearReport tax_year_report(const std::vector<LotDisposal>& disposals, int year);

}  // namespace mercurio::report
