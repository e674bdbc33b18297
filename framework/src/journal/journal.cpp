#include "journal/journal.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "journal/journal_header.hpp"
#include "journal/journal_schema.hpp"
#include "journal/sqlite_db.hpp"

namespace mercurio::kernel {

namespace {

constexpr int kBatchRows = 512;

constexpr std::pair<IntentStatus, std::string_view> kStatusNames[] = {
    {IntentStatus::Pending, "pending"},   {IntentStatus::Sent, "sent"},
    {IntentStatus::Unknown, "unknown"},   {IntentStatus::Accepted, "accepted"},
    {IntentStatus::PartiallyFilled, "partially_filled"}, {IntentStatus::Filled, "filled"},
    {IntentStatus::Canceled, "canceled"}, {IntentStatus::Rejected, "rejected"},
    {IntentStatus::Expired, "expired"},   {IntentStatus::Failed, "failed"},
};

std::string dec(sdk::Decimal d) { return d.to_string(); }

// `row`: what the row is about (an order id, a trade id, a broker), for the message.
sdk::Decimal parse_dec(const std::string& text, const char* column, std::string_view row) {
  auto d = sdk::Decimal::parse(text);
  if (!d)
    throw JournalError(JournalError::Kind::Corrupt, std::string("column ") + column + " of " +
                                                        std::string(row) + " holds \"" + text +
                                                        "\", not a decimal");
  return *d;
}

std::optional<std::string> opt_dec(const std::optional<sdk::Decimal>& d) {
  if (!d) return std::nullopt;
  return d->to_string();
}

}  // namespace

std::string_view to_string(IntentStatus status) noexcept {
  for (const auto& [s, name] : kStatusNames)
    if (s == status) return name;
  return "?";
}

std::optional<IntentStatus> parse_intent_status(std::string_view text) noexcept {
  for (const auto& [s, name] : kStatusNames)
    if (name == text) return s;
  return std::nullopt;
}

Journal::Journal(std::unique_ptr<SqliteDb> db, bool synced) : db_(std::move(db)), synced_(synced) {}
Journal::~Journal() {
  if (in_transaction_ && failure_.empty()) {
    try {
      db_->exec("COMMIT");
    } catch (const std::exception&) {
      // The batched rows are lost; nothing of the order path depends on them (header).
    }
  }
}

const std::filesystem::path& Journal::path() const noexcept { return db_->path(); }

std::unique_ptr<Journal> Journal::open(const std::filesystem::path& path, std::int64_t max_size_bytes, bool synced) {
  std::unique_ptr<SqliteDb> db;
  try {
    db = std::make_unique<SqliteDb>(path, true);
    // Before anything else: a file that is not a database, or a damaged one, is refused here.
    auto check = db->prepare("PRAGMA quick_check");
    std::string problems;
    while (check.step()) {
      const std::string line = check.column_text(0);
      if (line != "ok") problems += (problems.empty() ? "" : "; ") + line;
    }
    if (!problems.empty())
      throw JournalError(JournalError::Kind::Corrupt, "journal " + path.string() + " is corrupt (" + problems +
                                                          "): refusing to start; restore it from a backup or move it "
                                                          "aside and reconcile against the broker by hand");
    // Another program's database is refused before anything changes it (WAL mode rewrites the
    // file's header).
    const JournalHeader header = read_journal_header(*db);
    if (!header.empty && header.application_id != journal_schema::kApplicationId)
      throw JournalError(
          JournalError::Kind::Corrupt,
          "journal " + path.string() +
              " is an SQLite database but not a Mercurio journal: refusing to use it");
    db->exec("PRAGMA journal_mode=WAL");
    // FULL: every commit is on disk when COMMIT returns, WAL or not (NORMAL could lose the last
    // commits on power loss, i.e. an intent whose order the broker already has).
    db->exec(synced ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=OFF");
    db->exec("PRAGMA foreign_keys=ON");
    db->exec("PRAGMA busy_timeout=5000");
  } catch (const SqliteError& e) {
    if (e.is_corruption())
      throw JournalError(JournalError::Kind::Corrupt, "journal " + path.string() + " is corrupt or not a database (" + e.what() +
                                                          "): refusing to start; restore it from a backup or move it aside");
    throw JournalError(JournalError::Kind::Storage,
                       "cannot open journal " + path.string() + ": " + e.what());
  }
  std::unique_ptr<Journal> journal(new Journal(std::move(db), synced));
  journal->migrate();
  if (max_size_bytes > 0) {
    try {
      auto page = journal->db_->prepare("PRAGMA page_size");
      page.step();
      const std::int64_t pages = std::max<std::int64_t>(1, max_size_bytes / std::max<std::int64_t>(1, page.column_int(0)));
      journal->db_->exec("PRAGMA max_page_count=" + std::to_string(pages));
    } catch (const SqliteError& e) {
      throw JournalError(JournalError::Kind::Storage, std::string("cannot cap the journal's size: ") + e.what());
    }
  }
  return journal;
}

void Journal::migrate() {
  try {
    const JournalHeader header = read_journal_header(*db_);
    const std::int64_t version = header.version;  // a foreign database was refused by open()
    if (version > kJournalSchemaVersion)
      throw JournalError(JournalError::Kind::NewerSchema,
                         "journal " + path().string() + " has schema version " + std::to_string(version) +
                             ", newer than this mercurio understands (" + std::to_string(kJournalSchemaVersion) +
                             "): run the mercurio version that wrote it, or a newer one; never downgrade a journal");
    for (std::int64_t v = version; v < kJournalSchemaVersion; ++v) {
      db_->exec("BEGIN IMMEDIATE");
      try {
        db_->exec(journal_schema::kMigrations[static_cast<std::size_t>(v)]);
        db_->exec("PRAGMA application_id=" + std::to_string(journal_schema::kApplicationId));
        db_->exec("PRAGMA user_version=" + std::to_string(v + 1));
        db_->exec("COMMIT");
      } catch (...) {
        db_->exec("ROLLBACK");
        throw;
      }
    }
  } catch (const SqliteError& e) {
    throw JournalError(e.is_corruption() ? JournalError::Kind::Corrupt : JournalError::Kind::Storage,
                       std::string("cannot prepare the journal: ") + e.what());
  }
}

SqliteStatement& Journal::statement(int slot, const char* sql) {
  if (statements_.size() <= static_cast<std::size_t>(slot)) statements_.resize(static_cast<std::size_t>(slot) + 1);
  auto& s = statements_[static_cast<std::size_t>(slot)];
  if (!s) s = std::make_unique<SqliteStatement>(db_->prepare(sql));
  return *s;
}

template <typename F>
void Journal::write(bool durable, const char* what, F&& body, bool commit_always) {
  if (!failure_.empty())
    throw JournalError(JournalError::Kind::Storage, std::string("journal unavailable (") + failure_ + "): cannot record " + what);
  try {
    if (!in_transaction_) {
      db_->exec("BEGIN IMMEDIATE");
      in_transaction_ = true;
    }
    body();
    ++batched_rows_;
    if ((durable && synced_) || commit_always || batched_rows_ >= kBatchRows) {
      db_->exec("COMMIT");
      in_transaction_ = false;
      batched_rows_ = 0;
    }
  } catch (const SqliteError& e) {
    failure_ = e.what();
    if (in_transaction_) {
      sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
      in_transaction_ = false;
    }
    throw JournalError(e.is_corruption() ? JournalError::Kind::Corrupt : JournalError::Kind::Storage,
                       std::string("cannot record ") + what + " in the journal: " + e.what());
  }
}

void Journal::flush() {
  if (!in_transaction_ || !failure_.empty()) return;
  write(true, "pending rows", [] {}, true);
}

void Journal::begin_run(const RunStart& run) {
  write(true, "the run start", [&] {
    auto& s = statement(0, "INSERT INTO runs(started_at, mode, config_path, config_hash, mercurio_version) VALUES(?,?,?,?,?)");
    s.bind(1, run.started.ns).bind(2, run.mode).bind(3, run.config_path).bind(4, run.config_hash).bind(5, run.mercurio_version).run();
    run_id_ = db_->last_insert_rowid();
    auto& p = statement(1, "INSERT INTO run_plugins(run_id, plugin_id, name, version, library, file_hash) VALUES(?,?,?,?,?,?)");
    for (const auto& plugin : run.plugins)
      p.bind(1, run_id_).bind(2, plugin.id).bind(3, plugin.name).bind(4, plugin.version).bind(5, plugin.library).bind(6, plugin.file_hash).run();
  });
}

void Journal::end_run(sdk::Timestamp ts) {
  write(
      true, "the run end", [&] { statement(2, "UPDATE runs SET ended_at=? WHERE run_id=?").bind(1, ts.ns).bind(2, run_id_).run(); },
      true);
}

std::int64_t Journal::insert_decision(const RiskDecisionRecord& d) {
  auto& s = statement(3, "INSERT INTO risk_decisions(run_id, ts, strategy, broker, client_order_id, symbol, side, quantity, approved, "
                         "reason, message) VALUES(?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, run_id_).bind(2, d.ts.ns).bind(3, d.strategy).bind(4, d.broker).bind(5, d.client_order_id.str())
      .bind(6, d.intent.symbol.str()).bind(7, std::string(sdk::to_string(d.intent.side))).bind(8, dec(d.intent.quantity))
      .bind(9, std::int64_t{d.approved ? 1 : 0}).bind(10, d.reason).bind(11, d.message).run();
  return db_->last_insert_rowid();
}

void Journal::record_intent(const RiskDecisionRecord& approval, const IntentRecord& r) {
  write(true, "an order intent", [&] {
    const std::int64_t decision = insert_decision(approval);
    auto& s = statement(4, "INSERT INTO intents(client_order_id, sequence, run_id, decision_id, strategy, broker, symbol, side, type, "
                           "time_in_force, quantity, limit_price, stop_price, tag, liquidation, created_at, status, status_at) "
                           "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,'pending',?)");
    s.bind(1, r.client_order_id.str()).bind(2, r.sequence).bind(3, run_id_).bind(4, decision).bind(5, r.strategy).bind(6, r.broker)
        .bind(7, r.intent.symbol.str()).bind(8, std::string(sdk::to_string(r.intent.side)))
        .bind(9, std::string(sdk::to_string(r.intent.type))).bind(10, std::string(sdk::to_string(r.intent.time_in_force)))
        .bind(11, dec(r.intent.quantity)).bind(12, opt_dec(r.intent.limit_price)).bind(13, opt_dec(r.intent.stop_price))
        .bind(14, r.intent.tag).bind(15, std::int64_t{r.liquidation ? 1 : 0}).bind(16, r.created.ns).bind(17, r.created.ns).run();
  });
}

void Journal::record_denial(const RiskDecisionRecord& denial) {
  write(false, "a risk denial", [&] { insert_decision(denial); });
}

namespace {
void bind_event(SqliteStatement& s, std::int64_t run_id, const std::string& broker, const sdk::OrderEvent& e, bool external) {
  s.bind(1, run_id).bind(2, broker).bind(3, e.client_order_id.str()).bind(4, std::string(sdk::to_string(e.type))).bind(5, e.ts.ns)
      .bind(6, e.symbol.str()).bind(7, std::string(sdk::to_string(e.side)))
      .bind(8, e.is_fill() ? std::optional<std::string>(e.trade_id.str()) : std::nullopt)
      .bind(9, e.is_fill() ? std::optional<std::string>(dec(e.fill_quantity)) : std::nullopt)
      .bind(10, e.is_fill() ? std::optional<std::string>(dec(e.fill_price)) : std::nullopt)
      .bind(11, e.is_fill() ? std::optional<std::string>(dec(e.commission)) : std::nullopt)
      .bind(12, dec(e.leaves_quantity)).bind(13, e.reason).bind(14, e.venue_order_id).bind(15, std::int64_t{external ? 1 : 0});
}
constexpr const char* kInsertEvent =
    "INSERT OR IGNORE INTO order_events(run_id, broker, client_order_id, type, ts, symbol, side, trade_id, fill_quantity, fill_price, "
    "commission, leaves_quantity, reason, venue_order_id, external) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

// Whether any run recorded this trade id of this broker as a fill (on order_events' unique index
// fills_by_trade_id), and whether an opening balance lists it (on prior_fills' primary key).
constexpr const char* kRecordedTradeId = "SELECT 1 FROM order_events WHERE broker=? AND trade_id=?";
constexpr const char* kPriorTradeId = "SELECT 1 FROM prior_fills WHERE broker=? AND trade_id=?";
// An intent's new status, unless it is final already: a final status is never reopened. The
// final statuses are compared one by one: `status NOT IN (...)` made SQLite build a temporary
// table of the five names on every execution (a page allocated and zeroed each time), twice per
// order.
constexpr const char* kAdvanceIntentStatus =
    "UPDATE intents SET status=?, status_at=? WHERE client_order_id=? AND NOT (status='filled' OR "
    "status='canceled' OR status='rejected' OR status='expired' OR status='failed')";

std::optional<IntentStatus> status_after(const sdk::OrderEvent& e) {
  switch (e.type) {
    case sdk::OrderEventType::Accepted: return IntentStatus::Accepted;
    case sdk::OrderEventType::PartiallyFilled: return IntentStatus::PartiallyFilled;
    case sdk::OrderEventType::Filled: return IntentStatus::Filled;
    case sdk::OrderEventType::Canceled: return IntentStatus::Canceled;
    case sdk::OrderEventType::Rejected: return IntentStatus::Rejected;
    case sdk::OrderEventType::Expired: return IntentStatus::Expired;
  }
  return std::nullopt;
}
}  // namespace

bool Journal::has_row(int slot, const char* sql, const std::string& broker, const sdk::TradeId& trade_id) {
  auto& q = statement(slot, sql);
  q.bind(1, broker).bind(2, trade_id.str());
  const bool found = q.step();
  q.reset();
  return found;
}

bool Journal::knows_fill(const std::string& broker, const sdk::TradeId& trade_id) {
  if (!failure_.empty())
    throw JournalError(JournalError::Kind::Storage, "journal unavailable (" + failure_ + "): cannot look a trade id up");
  try {
    return has_row(15, kRecordedTradeId, broker, trade_id) || has_row(16, kPriorTradeId, broker, trade_id);
  } catch (const SqliteError& e) {
    throw JournalError(e.is_corruption() ? JournalError::Kind::Corrupt : JournalError::Kind::Storage,
                       std::string("cannot look trade id ") + trade_id.str() + " of " + broker + " up: " + e.what());
  }
}

JournaledOrderFills Journal::order_fills(const std::string& broker, const sdk::ClientOrderId& id) {
  if (!failure_.empty())
    throw JournalError(
        JournalError::Kind::Storage,
        "journal unavailable (" + failure_ + "): cannot read the fills of order " + id.str());
  JournaledOrderFills out;
  try {
    // Rare (a fill listed under a trade id never seen): prepared each time, no statement slot.
    auto intent = db_->prepare("SELECT quantity FROM intents WHERE client_order_id=? AND broker=?");
    intent.bind(1, id.str()).bind(2, broker);
    if (intent.step())
      out.ordered = parse_dec(intent.column_text(0), "intents.quantity", id.view());
    auto fills = db_->prepare(
        "SELECT fill_quantity, leaves_quantity, trade_id FROM order_events "
        "WHERE client_order_id=? AND broker=? AND trade_id IS NOT NULL AND external=0 "
        "ORDER BY event_id");
    fills.bind(1, id.str()).bind(2, broker);
    while (fills.step()) {
      const std::string trade_id = fills.column_text(2);
      out.fills.push_back(
          {parse_dec(fills.column_text(0), "order_events.fill_quantity", trade_id),
           parse_dec(fills.column_text(1), "order_events.leaves_quantity", trade_id)});
    }
  } catch (const SqliteError& e) {
    throw JournalError(
        e.is_corruption() ? JournalError::Kind::Corrupt : JournalError::Kind::Storage,
        "cannot read the fills of order " + id.str() + " of " + broker + ": " + e.what());
  }
  return out;
}

bool Journal::record_fill(const std::string& broker, const sdk::OrderEvent& fill, bool external) {
  bool inserted = false;
  write(true, "a fill", [&] {
    // A fill of an opening balance is in that balance already: its trade id is in prior_fills, not
    // in order_events, whose unique index makes the insert below ignore every other repeat.
    if (has_row(16, kPriorTradeId, broker, fill.trade_id)) return;
    auto& s = statement(5, kInsertEvent);
    bind_event(s, run_id_, broker, fill, external);
    s.run();
    inserted = db_->changes() > 0;
    // Keep the intent's status in step; a final status is never reopened (a late partial fill).
    // An external fill is not its order's (another broker, symbol or side): it moves no status.
    if (inserted && !external)
      statement(6, kAdvanceIntentStatus)
          .bind(1, std::string(to_string(*status_after(fill)))).bind(2, fill.ts.ns).bind(3, fill.client_order_id.str()).run();
  });
  return inserted;
}

void Journal::record_order_event(const std::string& broker, const sdk::OrderEvent& e,
                                 bool of_its_order) {
  write(false, "an order event", [&] {
    auto& s = statement(5, kInsertEvent);
    bind_event(s, run_id_, broker, e, false);
    s.run();
    if (auto st = status_after(e); st && of_its_order)
      statement(6, kAdvanceIntentStatus)
          .bind(1, std::string(to_string(*st))).bind(2, e.ts.ns).bind(3, e.client_order_id.str()).run();
  });
}

bool Journal::has_runs_other_than(std::string_view mode) {
  return count_runs("mode <> ?", mode) > 0;
}

bool Journal::has_runs_of(std::string_view mode) { return count_runs("mode = ?", mode) > 0; }

std::int64_t Journal::count_runs(const char* condition, std::string_view mode) {
  try {
    auto q = db_->prepare(std::string("SELECT count(*) FROM runs WHERE ") + condition);
    q.bind(1, mode);
    q.step();
    return q.column_int(0);
  } catch (const SqliteError& e) {
    throw JournalError(e.is_corruption() ? JournalError::Kind::Corrupt : JournalError::Kind::Storage, e.what());
  }
}

void Journal::set_intent_status(const sdk::ClientOrderId& id, IntentStatus status, sdk::Timestamp ts, const std::string& note,
                                bool durable) {
  write(durable, "an order status", [&] {
    statement(7, "UPDATE intents SET status=?, status_at=?, note=? WHERE client_order_id=?")
        .bind(1, std::string(to_string(status))).bind(2, ts.ns).bind(3, note).bind(4, id.str()).run();
  });
}

void Journal::record_state_change(sdk::Timestamp ts, std::string_view from, std::string_view to, const std::string& reason) {
  write(true, "a trading-state change", [&] {
    statement(8, "INSERT INTO state_changes(run_id, ts, from_state, to_state, reason) VALUES(?,?,?,?,?)")
        .bind(1, run_id_).bind(2, ts.ns).bind(3, from).bind(4, to).bind(5, reason).run();
  });
}

void Journal::record_operator_action(sdk::Timestamp ts, const std::string& who, const std::string& action, const std::string& scope,
                                     const std::string& reason, const std::string& result) {
  write(true, "an operator action", [&] {
    statement(9, "INSERT INTO operator_actions(run_id, ts, who, action, scope, reason, result) VALUES(?,?,?,?,?,?,?)")
        .bind(1, run_id_).bind(2, ts.ns).bind(3, who).bind(4, action).bind(5, scope).bind(6, reason).bind(7, result).run();
  });
}

void Journal::record_balance(const BalanceRecord& b, const std::vector<sdk::OrderEvent>& prior_fills) {
  write(true, "an account balance", [&] {
    statement(10, "INSERT INTO balances(run_id, broker, kind, ts, cash, reason, after_event_id) "
                  "VALUES(?,?,?,?,?,?,(SELECT coalesce(max(event_id), 0) FROM order_events))")
        .bind(1, run_id_).bind(2, b.broker).bind(3, b.kind).bind(4, b.ts.ns).bind(5, dec(b.cash)).bind(6, b.reason).run();
    const std::int64_t id = db_->last_insert_rowid();
    auto& p = statement(11, "INSERT INTO balance_positions(balance_id, symbol, quantity, average_price) VALUES(?,?,?,?)");
    for (const auto& pos : b.positions)
      p.bind(1, id).bind(2, pos.symbol.str()).bind(3, dec(pos.quantity)).bind(4, dec(pos.average_price)).run();
    auto& f = statement(14, "INSERT OR IGNORE INTO prior_fills(broker, trade_id, ts, balance_id) VALUES(?,?,?,?)");
    for (const auto& fill : prior_fills) f.bind(1, b.broker).bind(2, fill.trade_id.str()).bind(3, fill.ts.ns).bind(4, id).run();
  });
}

void Journal::record_reconciliation(sdk::Timestamp ts, const std::string& broker, const std::string& result, const std::string& diff) {
  write(true, "a reconciliation", [&] {
    statement(12, "INSERT INTO reconciliations(run_id, ts, broker, result, diff) VALUES(?,?,?,?,?)")
        .bind(1, run_id_).bind(2, ts.ns).bind(3, broker).bind(4, result).bind(5, diff).run();
  });
}

void Journal::record_equity(sdk::Timestamp ts, sdk::Decimal cash, sdk::Decimal positions_value, sdk::Decimal equity) {
  write(false, "an equity row", [&] {
    statement(13, "INSERT INTO equity(run_id, ts, cash, positions_value, equity) VALUES(?,?,?,?,?)")
        .bind(1, run_id_).bind(2, ts.ns).bind(3, dec(cash)).bind(4, dec(positions_value)).bind(5, dec(equity)).run();
  });
}

RecoveredJournal Journal::recover() {
  RecoveredJournal out;
  try {
    // A restart reads back every order ever journaled (bench/journal_bench times it), so the
    // vectors are sized from the row counts up front and the id index allocates no strings.
    const auto count = [&](const char* sql) {
      auto c = db_->prepare(sql);
      return c.step() ? static_cast<std::size_t>(std::max<std::int64_t>(c.column_int(0), 0))
                      : std::size_t{0};
    };
    out.orders.reserve(count("SELECT count(*) FROM intents"));
    out.fills.reserve(count("SELECT count(*) FROM order_events WHERE trade_id IS NOT NULL"));
    std::unordered_map<sdk::ClientOrderId, std::size_t,
                       sdk::StoredHash<sdk::ClientOrderId::kCapacity>>
        index;
    index.reserve(out.orders.capacity());
    auto q = db_->prepare("SELECT client_order_id, sequence, strategy, broker, symbol, side, type, time_in_force, quantity, limit_price, "
                          "stop_price, tag, liquidation, created_at, status FROM intents ORDER BY rowid");
    while (q.step()) {
      JournaledOrder o;
      o.record.client_order_id = sdk::ClientOrderId(q.column_text(0));
      o.record.sequence = q.column_int(1);
      // The next ids continue after the highest sequence: one below 1 (a hand-edited or damaged
      // row) would wrap the unsigned counter and hand out ids again.
      if (o.record.sequence < 1)
        throw JournalError(JournalError::Kind::Corrupt, "journal intent " + o.record.client_order_id.str() + " has sequence " +
                                                        std::to_string(o.record.sequence) + ", expected >= 1");
      o.record.strategy = q.column_text(2);
      o.record.broker = q.column_text(3);
      o.record.intent.symbol = sdk::Symbol(q.column_text(4));
      auto side = sdk::parse_side(q.column_text(5));
      auto type = sdk::parse_order_type(q.column_text(6));
      auto tif = sdk::parse_time_in_force(q.column_text(7));
      auto status = parse_intent_status(q.column_text(14));
      if (!side || !type || !tif || !status)
        throw JournalError(JournalError::Kind::Corrupt, "journal intent " + o.record.client_order_id.str() + " has an unreadable side, type, "
                                                        "time in force or status");
      o.record.intent.side = *side;
      o.record.intent.type = *type;
      o.record.intent.time_in_force = *tif;
      o.record.intent.quantity =
          parse_dec(q.column_text(8), "intents.quantity", o.record.client_order_id.view());
      if (!q.column_is_null(9))
        o.record.intent.limit_price =
            parse_dec(q.column_text(9), "intents.limit_price", o.record.client_order_id.view());
      if (!q.column_is_null(10))
        o.record.intent.stop_price =
            parse_dec(q.column_text(10), "intents.stop_price", o.record.client_order_id.view());
      o.record.intent.tag = q.column_text(11);
      o.record.liquidation = q.column_int(12) != 0;
      o.record.created = sdk::Timestamp{q.column_int(13)};
      o.status = *status;
      auto& last = out.last_sequence[o.record.strategy];
      last = std::max(last, o.record.sequence);
      index[o.record.client_order_id] = out.orders.size();
      out.orders.push_back(std::move(o));
    }
    auto f = db_->prepare("SELECT broker, client_order_id, type, ts, symbol, side, trade_id, fill_quantity, fill_price, commission, "
                          "leaves_quantity, venue_order_id, external, event_id FROM order_events WHERE trade_id IS NOT NULL ORDER BY event_id");
    while (f.step()) {
      JournaledFill jf;
      jf.broker = f.column_text(0);
      jf.event_id = f.column_int(13);
      jf.fill.client_order_id = sdk::ClientOrderId(f.column_text(1));
      jf.fill.type = f.column_text(2) == "filled" ? sdk::OrderEventType::Filled : sdk::OrderEventType::PartiallyFilled;
      jf.fill.ts = sdk::Timestamp{f.column_int(3)};
      jf.fill.symbol = sdk::Symbol(f.column_text(4));
      auto side = sdk::parse_side(f.column_text(5));
      if (!side) throw JournalError(JournalError::Kind::Corrupt, "journal fill " + f.column_text(6) + " has an unreadable side");
      jf.fill.side = *side;
      jf.fill.trade_id = sdk::TradeId(f.column_text(6));
      jf.fill.fill_quantity =
          parse_dec(f.column_text(7), "order_events.fill_quantity", jf.fill.trade_id.view());
      jf.fill.fill_price =
          parse_dec(f.column_text(8), "order_events.fill_price", jf.fill.trade_id.view());
      jf.fill.commission =
          parse_dec(f.column_text(9), "order_events.commission", jf.fill.trade_id.view());
      jf.fill.leaves_quantity =
          parse_dec(f.column_text(10), "order_events.leaves_quantity", jf.fill.trade_id.view());
      jf.fill.venue_order_id = f.column_text(11);
      auto it = index.find(jf.fill.client_order_id);
      if (it != index.end() && f.column_int(12) == 0) {
        JournaledOrder& o = out.orders[it->second];
        jf.strategy = o.record.strategy;
        o.filled_quantity += jf.fill.fill_quantity;
        o.commission += jf.fill.commission;
      }
      auto& last = out.last_fill[jf.broker];
      if (jf.fill.ts > last) last = jf.fill.ts;
      out.fills.push_back(std::move(jf));
    }
    auto b = db_->prepare("SELECT balance_id, broker, kind, ts, cash, reason, after_event_id FROM balances b WHERE balance_id = "
                          "(SELECT max(balance_id) FROM balances WHERE broker = b.broker) ORDER BY broker");
    while (b.step()) {
      BalanceRecord r;
      const std::int64_t id = b.column_int(0);
      r.broker = b.column_text(1);
      r.kind = b.column_text(2);
      r.ts = sdk::Timestamp{b.column_int(3)};
      r.cash = parse_dec(b.column_text(4), "balances.cash", r.broker);
      r.reason = b.column_text(5);
      r.after_event_id = b.column_int(6);
      auto p = db_->prepare("SELECT symbol, quantity, average_price FROM balance_positions WHERE balance_id=? ORDER BY symbol");
      p.bind(1, id);
      while (p.step()) {
        sdk::Position pos;
        pos.symbol = sdk::Symbol(p.column_text(0));
        pos.quantity = parse_dec(p.column_text(1), "balance_positions.quantity", r.broker);
        pos.average_price =
            parse_dec(p.column_text(2), "balance_positions.average_price", r.broker);
        r.positions.push_back(pos);
      }
      out.balances.push_back(std::move(r));
    }
    // Prior fills stay in the journal, which answers knows_fill(); only their latest time is needed here.
    auto prior = db_->prepare("SELECT broker, max(ts) FROM prior_fills GROUP BY broker");
    while (prior.step()) {
      auto& last = out.last_fill[prior.column_text(0)];
      if (sdk::Timestamp{prior.column_int(1)} > last) last = sdk::Timestamp{prior.column_int(1)};
    }
  } catch (const JournalError& e) {
    throw JournalError(e.kind(), "cannot read journal " + path().string() + " back: " + e.what());
  } catch (const SqliteError& e) {
    throw JournalError(
        e.is_corruption() ? JournalError::Kind::Corrupt : JournalError::Kind::Storage,
        "cannot read journal " + path().string() + " back: " + e.what());
  } catch (const std::length_error& e) {
    // An id or a symbol longer than any Mercurio writes: not a row this program wrote.
    throw JournalError(JournalError::Kind::Corrupt,
                       "cannot read journal " + path().string() + " back: " + e.what());
  }
  return out;
}

}  // namespace mercurio::kernel
