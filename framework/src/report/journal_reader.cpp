#include "report/journal_reader.hpp"

#include <cstdio>
#include <system_error>

#include "journal/journal.hpp"
#include "journal/journal_header.hpp"
#include "journal/journal_schema.hpp"
#include "journal/sqlite_db.hpp"
#include "report/report_error.hpp"

namespace mercurio::report {

namespace {

std::string hex(std::int64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llX", static_cast<unsigned long long>(static_cast<std::uint32_t>(v)));
  return buf;
}

}  // namespace

template <typename F>
auto JournalReader::read(const char* what, F&& body) {
  try {
    return body();
  } catch (const kernel::SqliteError& e) {
    throw ReportError("cannot " + std::string(what) + " from the journal " + path_.string() + ": " + e.what());
  }
}

JournalReader::JournalReader(const std::filesystem::path& path) : path_(path) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) throw ReportError("cannot access the journal " + name + ": " + ec.message());
  if (!std::filesystem::exists(status)) throw ReportError("journal " + name + " does not exist");
  if (!std::filesystem::is_regular_file(status)) throw ReportError("journal " + name + " is not a regular file");
  std::int64_t application_id = 0;
  std::int64_t version = 0;
  try {
    db_ = std::make_unique<kernel::SqliteDb>(path, false, true);
    // A file that is not an SQLite database fails here (SQLITE_NOTADB) rather than at open.
    const kernel::JournalHeader header = kernel::read_journal_header(*db_);
    application_id = header.application_id;
    version = header.version;
  } catch (const kernel::SqliteError& e) {
    if (e.is_corruption())
      throw ReportError("journal " + name + " is not a Mercurio journal (not an SQLite database, or a damaged one): " + e.what());
    throw ReportError("cannot read the journal " + name + ": " + e.what());
  }
  if (application_id != kernel::journal_schema::kApplicationId)
    throw ReportError("journal " + name + " is not a Mercurio journal: SQLite application_id expected " +
                      hex(kernel::journal_schema::kApplicationId) + ", was " + hex(application_id));
  if (version > kernel::kJournalSchemaVersion)
    throw ReportError("journal " + name + " has schema version " + std::to_string(version) + ", newer than this mercurio reads (" +
                      std::to_string(kernel::kJournalSchemaVersion) + "): use the mercurio version that wrote it, or a newer one");
  if (version < kernel::kJournalSchemaVersion)
    throw ReportError("journal " + name + " has schema version " + std::to_string(version) + ", expected " +
                      std::to_string(kernel::kJournalSchemaVersion) + ": start mercurio on it once to migrate it");
  // One read transaction for every query: the reports agree with each other even while the kernel
  // appends to the journal.
  read("start a read transaction", [&] { db_->exec("BEGIN"); });
}

JournalReader::~JournalReader() {
  if (db_) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

namespace {

class Row {
 public:
  Row(const kernel::SqliteStatement& s, const std::filesystem::path& path, const char* table)
      : s_(s), path_(path), table_(table) {}

  std::string text(int c) const { return s_.column_text(c); }
  std::int64_t integer(int c) const { return s_.column_int(c); }
  sdk::Decimal decimal(int c, const char* column) const {
    const std::string t = s_.column_text(c);
    if (auto d = sdk::Decimal::parse(t)) return *d;
    throw ReportError("journal " + path_.string() + ": " + table_ + "." + column + " holds \"" + t + "\", not a decimal");
  }
  std::optional<sdk::Decimal> optional_decimal(int c, const char* column) const {
    if (s_.column_is_null(c)) return std::nullopt;
    return decimal(c, column);
  }
  sdk::Side side(int c) const {
    const std::string t = s_.column_text(c);
    if (auto s = sdk::parse_side(t)) return *s;
    throw ReportError("journal " + path_.string() + ": " + table_ + ".side holds \"" + t + "\", expected buy or sell");
  }

 private:
  const kernel::SqliteStatement& s_;
  const std::filesystem::path& path_;
  std::string table_;
};

}  // namespace

std::vector<FillRow> JournalReader::fills() {
  return read("read fills", [&] {
    std::vector<FillRow> out;
    // A fill is external when the broker reported it without a journaled intent of ours.
    auto q = db_->prepare(
        "SELECT e.event_id, e.broker, coalesce(i.strategy, ''), e.client_order_id, e.ts, e.symbol, e.side, e.fill_quantity, "
        "e.fill_price, e.commission, e.trade_id FROM order_events e LEFT JOIN intents i ON i.client_order_id = e.client_order_id "
        "AND e.external = 0 WHERE e.trade_id IS NOT NULL ORDER BY e.ts, e.event_id");
    while (q.step()) {
      const Row r(q, path_, "order_events");
      FillRow f;
      f.event_id = r.integer(0);
      f.broker = r.text(1);
      f.strategy = r.text(2);
      f.external = f.strategy.empty();
      if (f.external) f.strategy = "external";
      f.client_order_id = r.text(3);
      f.ts = sdk::Timestamp{r.integer(4)};
      f.symbol = r.text(5);
      f.side = r.side(6);
      f.quantity = r.decimal(7, "fill_quantity");
      f.price = r.decimal(8, "fill_price");
      f.commission = r.decimal(9, "commission");
      f.trade_id = r.text(10);
      out.push_back(std::move(f));
    }
    return out;
  });
}

std::vector<OrderRow> JournalReader::orders() {
  return read("read orders", [&] {
    std::vector<OrderRow> out;
    auto q = db_->prepare(
        "SELECT i.client_order_id, i.strategy, i.broker, i.symbol, i.side, i.type, i.time_in_force, i.quantity, i.limit_price, "
        "i.stop_price, i.tag, i.created_at, i.status, i.status_at, i.note, d.approved, d.reason, d.message FROM intents i "
        "LEFT JOIN risk_decisions d ON d.decision_id = i.decision_id ORDER BY i.created_at, i.rowid");
    while (q.step()) {
      const Row r(q, path_, "intents");
      OrderRow o;
      o.client_order_id = r.text(0);
      o.strategy = r.text(1);
      o.broker = r.text(2);
      o.symbol = r.text(3);
      o.side = r.text(4);
      o.type = r.text(5);
      o.time_in_force = r.text(6);
      o.quantity = r.decimal(7, "quantity");
      o.limit_price = r.optional_decimal(8, "limit_price");
      o.stop_price = r.optional_decimal(9, "stop_price");
      o.tag = r.text(10);
      o.created = sdk::Timestamp{r.integer(11)};
      o.status = r.text(12);
      o.status_at = sdk::Timestamp{r.integer(13)};
      o.note = r.text(14);
      o.approved = r.integer(15) != 0;
      o.risk_reason = r.text(16);
      o.risk_message = r.text(17);
      out.push_back(std::move(o));
    }
    return out;
  });
}

std::vector<EquityRow> JournalReader::equity() {
  return read("read equity", [&] {
    std::vector<EquityRow> out;
    auto q = db_->prepare("SELECT run_id, ts, cash, positions_value, equity FROM equity ORDER BY ts, rowid");
    while (q.step()) {
      const Row r(q, path_, "equity");
      out.push_back(EquityRow{r.integer(0), sdk::Timestamp{r.integer(1)}, r.decimal(2, "cash"), r.decimal(3, "positions_value"),
                              r.decimal(4, "equity")});
    }
    return out;
  });
}

std::vector<BalanceRow> JournalReader::balances() {
  return read("read balances", [&] {
    std::vector<BalanceRow> out;
    auto q = db_->prepare("SELECT balance_id, broker, kind, ts, after_event_id FROM balances ORDER BY balance_id");
    auto p = db_->prepare("SELECT symbol, quantity, average_price FROM balance_positions WHERE balance_id = ? ORDER BY rowid");
    while (q.step()) {
      const Row r(q, path_, "balances");
      BalanceRow b;
      b.balance_id = r.integer(0);
      b.broker = r.text(1);
      b.kind = r.text(2);
      b.ts = sdk::Timestamp{r.integer(3)};
      b.after_event_id = r.integer(4);
      p.bind(1, b.balance_id);
      while (p.step()) {
        const Row pr(p, path_, "balance_positions");
        b.positions.push_back(BalancePosition{pr.text(0), pr.decimal(1, "quantity"), pr.decimal(2, "average_price")});
      }
      p.reset();
      out.push_back(std::move(b));
    }
    return out;
  });
}

}  // namespace mercurio::report
