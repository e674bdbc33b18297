#pragma once
// The deployment's durable record (SQLite, WAL): order intents written and synced before the broker
// is called, every risk decision, every broker event (fills deduplicated by trade id), trading-state
// changes, operator actions, equity, balances and reconciliations, and what each run started with.
//
// Durability classes:
//  - durable writes (intents, their risk approval, fills, state changes, operator actions,
//    balances, reconciliations) commit at once with synchronous=FULL: after the call returns the
//    row survives a kill -9 or a power loss;
//  - batched writes (equity rows, denials, non-fill broker events) join an open transaction that is
//    committed by the next durable write, by flush(), or after kBatchRows rows. Losing them in a
//    crash loses no money: the broker is asked again at start-up (reconciliation);
//  - an unsynced journal (backtests: no money rides on it, a crash may lose its tail anyway)
//    batches every write, durable ones included: a commit per order would cost WAL writes and
//    file locks for nothing. It commits every kBatchRows rows, on flush(), at the run's end.
// Any storage error (disk full, I/O error, corruption) throws JournalError, and the journal then
// refuses every later write (fail closed): the kernel HALTS and sends nothing without a record.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "journal/journal_schema.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

class SqliteDb;
class SqliteStatement;

class JournalError : public std::runtime_error {
 public:
  enum class Kind { Storage, Corrupt, NewerSchema, Misuse };
  JournalError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
  Kind kind() const noexcept { return kind_; }

 private:
  Kind kind_;
};

/// The schema this binary writes; older journals are migrated, newer ones refused.
inline constexpr int kJournalSchemaVersion = static_cast<int>(journal_schema::kMigrations.size());

/// Where an intent stands, as far as the journal knows.
enum class IntentStatus {
  Pending,          // journaled, the broker not called yet (or the process died before it answered)
  Sent,             // the broker took it; no answer from the venue yet
  Unknown,          // the submit's outcome is unknown (timeout, 5xx): resolved by a lookup
  Accepted,
  PartiallyFilled,
  Filled,
  Canceled,
  Rejected,
  Expired,
  Failed,           // the venue confirmed it never received the order: not sent, never resent
};
std::string_view to_string(IntentStatus status) noexcept;
std::optional<IntentStatus> parse_intent_status(std::string_view text) noexcept;
inline bool is_final(IntentStatus s) noexcept {
  return s == IntentStatus::Filled || s == IntentStatus::Canceled || s == IntentStatus::Rejected ||
         s == IntentStatus::Expired || s == IntentStatus::Failed;
}

struct PluginFingerprint {
  std::string id;
  std::string name;
  std::string version;
  std::string library;
  std::string file_hash;  // SHA-256 of the library file
};

struct RunStart {
  std::string mode;
  std::string config_path;
  std::string config_hash;  // SHA-256 of the config file's bytes
  std::string mercurio_version;
  std::vector<PluginFingerprint> plugins;
  sdk::Timestamp started;
};

struct RiskDecisionRecord {
  sdk::Timestamp ts;
  std::string strategy;
  std::string broker;
  sdk::ClientOrderId client_order_id;
  sdk::OrderIntent intent;
  bool approved = false;
  std::string reason;
  std::string message;
};

struct IntentRecord {
  sdk::ClientOrderId client_order_id;
  std::int64_t sequence = 0;  // the number in "<strategy>-<sequence>"
  std::string strategy;
  std::string broker;
  sdk::OrderIntent intent;
  bool liquidation = false;
  sdk::Timestamp created;
};

/// An intent as recovered at start-up.
struct JournaledOrder {
  IntentRecord record;
  IntentStatus status = IntentStatus::Pending;
  sdk::Decimal filled_quantity;
  sdk::Decimal commission;
};

struct JournaledFill {
  std::int64_t event_id = 0;
  std::string broker;
  std::string strategy;  // empty: an external fill (no journaled intent)
  sdk::OrderEvent fill;
};

/// Cash and positions a broker account held that no journaled fill explains: the account's
/// opening balance (first start) or an operator-acknowledged reconciliation adjustment.
struct BalanceRecord {
  std::string broker;
  std::string kind;  // "opening" | "adjustment"
  sdk::Timestamp ts;
  sdk::Decimal cash;  // the account's cash after this record
  std::vector<sdk::Position> positions;  // the account's positions after this record (quantity, average price)
  std::string reason;
  std::int64_t after_event_id = 0;  // fills with a larger event id come after this balance
};

struct RecoveredJournal {
  std::vector<JournaledOrder> orders;   // every intent, in journal order
  std::vector<JournaledFill> fills;     // every recorded fill, in journal order
  std::vector<BalanceRecord> balances;  // latest per broker
  std::map<std::string, std::int64_t> last_sequence;  // strategy -> highest sequence used
  std::map<std::string, sdk::Timestamp> last_fill;    // broker -> venue time of the latest fill (prior fills included)
};

/// One order as the journal holds it, for fill_coverage(): its quantity (zero when the journal
/// has no intent of this id at this broker) and its fills, in the order they were booked.
struct JournaledOrderFills {
  struct Fill {
    sdk::Decimal quantity;
    sdk::Decimal leaves;  ///< the order's quantity left open after it
  };
  sdk::Decimal ordered;
  std::vector<Fill> fills;
};

class Journal {
 public:
  /// Opens or creates the journal: checks integrity (a corrupt file throws Corrupt; a torn WAL tail
  /// is rolled back to the last complete commit by SQLite itself), migrates an older schema, refuses
  /// a newer one (NewerSchema). `max_size_bytes` > 0 caps the file (a full journal halts trading).
  /// `synced` false (backtests, where no money rides on the record): commits are not fsynced, so a
  /// crash may lose the tail; everything else is the same.
  static std::unique_ptr<Journal> open(const std::filesystem::path& path, std::int64_t max_size_bytes = 0,
                                       bool synced = true);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  const std::filesystem::path& path() const noexcept;
  std::int64_t run_id() const noexcept { return run_id_; }
  bool failed() const noexcept { return !failure_.empty(); }

  RecoveredJournal recover();

  // durable
  void begin_run(const RunStart& run);
  /// The approval and the intent, in one synced transaction: call before the broker.
  void record_intent(const RiskDecisionRecord& approval, const IntentRecord& intent);
  /// Returns false (and writes nothing) when the broker's trade id was already recorded, as a fill
  /// or in an opening balance: the journal is the authority on which fills were ever booked.
  /// `external`: no order of ours can take it (its intent's status is left alone).
  bool record_fill(const std::string& broker, const sdk::OrderEvent& fill, bool external);
  /// `durable` false: batched (e.g. "sent", which a restart re-derives by asking the broker).
  void set_intent_status(const sdk::ClientOrderId& id, IntentStatus status, sdk::Timestamp ts, const std::string& note,
                         bool durable = true);
  /// True when any run recorded `trade_id` of `broker`, as a fill or in an opening balance.
  bool knows_fill(const std::string& broker, const sdk::TradeId& trade_id);
  /// Order `id` of `broker`: its quantity and the fills booked of it (external ones excluded).
  JournaledOrderFills order_fills(const std::string& broker, const sdk::ClientOrderId& id);
  /// True when the journal records a run in another mode than `mode`.
  bool has_runs_other_than(std::string_view mode);
  /// True when the journal records a run in `mode`.
  bool has_runs_of(std::string_view mode);
  void record_state_change(sdk::Timestamp ts, std::string_view from, std::string_view to, const std::string& reason);
  void record_operator_action(sdk::Timestamp ts, const std::string& who, const std::string& action,
                              const std::string& scope, const std::string& reason, const std::string& result);
  /// `prior_fills`: for an opening balance, the fills the venue executed before it (they are in the
  /// balance already), recorded in the same transaction so a restart never applies them again.
  void record_balance(const BalanceRecord& balance, const std::vector<sdk::OrderEvent>& prior_fills = {});
  void record_reconciliation(sdk::Timestamp ts, const std::string& broker, const std::string& result, const std::string& diff);
  void end_run(sdk::Timestamp ts);

  // batched
  void record_denial(const RiskDecisionRecord& denial);
  /// `of_its_order` false: the event names an order of ours but does not fit it (another broker,
  /// symbol or side): recorded, and the intent's status is left alone.
  void record_order_event(const std::string& broker, const sdk::OrderEvent& event,
                          bool of_its_order = true);
  void record_equity(sdk::Timestamp ts, sdk::Decimal cash, sdk::Decimal positions_value, sdk::Decimal equity);

  /// Commits pending batched rows (durably).
  void flush();

 private:
  Journal(std::unique_ptr<SqliteDb> db, bool synced);
  std::int64_t count_runs(const char* condition, std::string_view mode);
  void migrate();
  template <typename F>
  void write(bool durable, const char* what, F&& body, bool commit_always = false);
  SqliteStatement& statement(int slot, const char* sql);
  // Whether the cached statement `sql` (one broker, one trade id) finds a row; throws SqliteError.
  bool has_row(int slot, const char* sql, const std::string& broker, const sdk::TradeId& trade_id);
  std::int64_t insert_decision(const RiskDecisionRecord& d);

  std::unique_ptr<SqliteDb> db_;
  std::vector<std::unique_ptr<SqliteStatement>> statements_;
  std::int64_t run_id_ = 0;
  bool synced_ = true;
  bool in_transaction_ = false;
  int batched_rows_ = 0;
  std::string failure_;
};

}  // namespace mercurio::kernel
