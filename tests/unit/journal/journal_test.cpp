// The journal on its own: what it keeps, what it drops, and how it treats damaged storage.
#include "journal/journal.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <iterator>

#include "support/test_paths.hpp"

namespace mercurio::kernel {
namespace {

using ::testing::HasSubstr;
using sdk::Decimal;
using sdk::Timestamp;
namespace fs = std::filesystem;

sdk::OrderIntent buy(const char* symbol, int quantity) {
  sdk::OrderIntent i;
  i.symbol = sdk::Symbol(symbol);
  i.side = sdk::Side::Buy;
  i.type = sdk::OrderType::Limit;
  i.time_in_force = sdk::TimeInForce::Day;
  i.quantity = Decimal::from_int(quantity);
  i.limit_price = *Decimal::parse("101.25");
  i.tag = "entry";
  return i;
}

void add_intent(Journal& j, const std::string& strategy, std::int64_t seq, const char* symbol = "SPY") {
  const sdk::ClientOrderId id(strategy + "-" + std::to_string(seq));
  RiskDecisionRecord d{Timestamp{seq}, strategy, "paper", id, buy(symbol, 10), true, "", "approved"};
  IntentRecord r{id, seq, strategy, "paper", buy(symbol, 10), false, Timestamp{seq}};
  j.record_intent(d, r);
}

sdk::OrderEvent fill_of(const std::string& id, const std::string& trade, int quantity, const char* price) {
  sdk::OrderEvent e;
  e.type = sdk::OrderEventType::PartiallyFilled;
  e.client_order_id = sdk::ClientOrderId(id);
  e.symbol = sdk::Symbol("SPY");
  e.side = sdk::Side::Buy;
  e.ts = Timestamp{1000};
  e.trade_id = sdk::TradeId(trade);
  e.fill_quantity = Decimal::from_int(quantity);
  e.fill_price = *Decimal::parse(price);
  e.commission = *Decimal::parse("0.5");
  e.leaves_quantity = Decimal::from_int(10 - quantity);
  return e;
}

std::unique_ptr<Journal> fresh(const fs::path& path) {
  auto j = Journal::open(path);
  j->begin_run(RunStart{"paper", "mercurio.toml", "abc", "0.1.0", {{"paper", "mercurio.brokers.paper", "1.0.0", "lib.so", "ff"}}, Timestamp{1}});
  return j;
}

void exec_sql(const fs::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(JournalTest, RecoversIntentsFillsAndTheNextSequenceAfterReopening) {
  const auto path = test::scratch_dir("journal_recover") / "journal.sqlite";
  {
    auto j = fresh(path);
    add_intent(*j, "ma", 1);
    add_intent(*j, "ma", 2);
    add_intent(*j, "other", 7);
    EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100.5"), false));
    j->set_intent_status(sdk::ClientOrderId("ma-2"), IntentStatus::Sent, Timestamp{5}, "");
  }
  auto j = Journal::open(path);
  const RecoveredJournal r = j->recover();
  ASSERT_EQ(r.orders.size(), 3u);
  EXPECT_EQ(r.orders[0].record.client_order_id.str(), "ma-1");
  EXPECT_EQ(r.orders[0].status, IntentStatus::PartiallyFilled);
  EXPECT_EQ(r.orders[0].filled_quantity, Decimal::from_int(4));
  EXPECT_EQ(r.orders[0].record.intent.limit_price, Decimal::parse("101.25"));
  EXPECT_EQ(r.orders[0].record.intent.tag, "entry");
  EXPECT_EQ(r.orders[1].status, IntentStatus::Sent);
  EXPECT_EQ(r.orders[2].status, IntentStatus::Pending);
  EXPECT_EQ(r.last_sequence.at("ma"), 2);
  EXPECT_EQ(r.last_sequence.at("other"), 7);
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_EQ(r.fills[0].strategy, "ma");
  EXPECT_EQ(r.fills[0].fill.fill_price, Decimal::parse("100.5"));
  EXPECT_EQ(r.last_fill.at("paper"), Timestamp{1000});
}

TEST(JournalTest, AFillWithAKnownTradeIdIsRecordedOnce) {
  auto j = fresh(test::scratch_dir("journal_dedupe") / "journal.sqlite");
  add_intent(*j, "ma", 1);
  EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false));
  EXPECT_FALSE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false));
  EXPECT_TRUE(j->record_fill("other-broker", fill_of("ma-1", "t1", 4, "100"), true));  // trade ids are per broker
  EXPECT_EQ(j->recover().orders[0].filled_quantity, Decimal::from_int(4));
}

TEST(JournalTest, AFinalStatusIsNotReopenedByALateEvent) {
  auto j = fresh(test::scratch_dir("journal_final") / "journal.sqlite");
  add_intent(*j, "ma", 1);
  auto canceled = fill_of("ma-1", "", 0, "0");
  canceled.type = sdk::OrderEventType::Canceled;
  j->record_order_event("paper", canceled);
  EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "late", 2, "100"), false));  // a cancel race: money moved
  const auto r = j->recover();
  EXPECT_EQ(r.orders[0].status, IntentStatus::Canceled);
  EXPECT_EQ(r.orders[0].filled_quantity, Decimal::from_int(2));
}

// Each of the five final statuses stays through a late event; the others move on with it.
TEST(JournalTest, EveryFinalStatusStaysAndEveryOtherAdvances) {
  auto j = fresh(test::scratch_dir("journal_final_each") / "journal.sqlite");
  const auto event = [](const std::string& id, sdk::OrderEventType type) {
    auto e = fill_of(id, "", 0, "0");
    e.type = type;
    return e;
  };
  using T = sdk::OrderEventType;
  for (std::int64_t seq = 1; seq <= 7; ++seq) add_intent(*j, "ma", seq);
  auto filled = fill_of("ma-1", "t1", 10, "100");
  filled.type = T::Filled;
  j->record_fill("paper", filled, false);
  j->record_order_event("paper", event("ma-2", T::Canceled));
  j->record_order_event("paper", event("ma-3", T::Rejected));
  j->record_order_event("paper", event("ma-4", T::Expired));
  j->set_intent_status(sdk::ClientOrderId("ma-5"), IntentStatus::Failed, Timestamp{9},
                       "confirmed absent");
  j->set_intent_status(sdk::ClientOrderId("ma-6"), IntentStatus::Sent, Timestamp{9}, "");
  j->record_order_event("paper", event("ma-7", T::Accepted));
  for (const char* id : {"ma-1", "ma-2", "ma-3", "ma-4", "ma-5", "ma-6", "ma-7"}) {
    j->record_order_event("paper", event(id, T::Accepted));
    j->record_fill("paper", fill_of(id, std::string("late-") + id, 1, "100"), false);
  }
  const auto r = j->recover();
  ASSERT_EQ(r.orders.size(), 7u);
  const IntentStatus expected[] = {IntentStatus::Filled,         IntentStatus::Canceled,
                                   IntentStatus::Rejected,       IntentStatus::Expired,
                                   IntentStatus::Failed,         IntentStatus::PartiallyFilled,
                                   IntentStatus::PartiallyFilled};
  for (std::size_t k = 0; k < 7; ++k)
    EXPECT_EQ(r.orders[k].status, expected[k]) << r.orders[k].record.client_order_id.str();
}

// An event that names an order of ours but does not fit it (an external fill, a status from
// another broker) is recorded and moves no status: the order is still working, and a restart must
// track it again instead of reading it as final.
TEST(JournalTest, AnEventNotOfItsOrderLeavesTheIntentStatusAlone) {
  auto j = fresh(test::scratch_dir("journal_not_its_order") / "journal.sqlite");
  add_intent(*j, "ma", 1);
  add_intent(*j, "ma", 2);
  auto filled = fill_of("ma-1", "t1", 10, "100");
  filled.type = sdk::OrderEventType::Filled;
  EXPECT_TRUE(j->record_fill("paper", filled, true));
  auto canceled = fill_of("ma-2", "", 0, "0");
  canceled.type = sdk::OrderEventType::Canceled;
  j->record_order_event("paper", canceled, false);
  const auto r = j->recover();
  ASSERT_EQ(r.orders.size(), 2u);
  EXPECT_EQ(r.orders[0].status, IntentStatus::Pending);
  EXPECT_EQ(r.orders[1].status, IntentStatus::Pending);
  EXPECT_EQ(r.orders[0].filled_quantity, Decimal{});
}

TEST(JournalTest, BatchedRowsAreKeptAfterFlushAndBalancesOrderAgainstFills) {
  const auto path = test::scratch_dir("journal_batched") / "journal.sqlite";
  {
    auto j = fresh(path);
    add_intent(*j, "ma", 1);
    EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false));
    BalanceRecord b{"paper", "opening", Timestamp{3}, Decimal::from_int(1000), {}, "first start", 0};
    b.positions.push_back(sdk::Position{sdk::Symbol("QQQ"), Decimal::from_int(3), Decimal::from_int(300), {}, {}, {}});
    j->record_balance(b);
    EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t2", 2, "100"), false));
    j->record_equity(Timestamp{10}, Decimal::from_int(1), Decimal::from_int(2), Decimal::from_int(3));
    j->flush();
  }
  auto j = Journal::open(path);
  const auto r = j->recover();
  ASSERT_EQ(r.balances.size(), 1u);
  EXPECT_EQ(r.balances[0].cash, Decimal::from_int(1000));
  ASSERT_EQ(r.balances[0].positions.size(), 1u);
  EXPECT_EQ(r.balances[0].positions[0].quantity, Decimal::from_int(3));
  ASSERT_EQ(r.fills.size(), 2u);
  EXPECT_LE(r.fills[0].event_id, r.balances[0].after_event_id);
  EXPECT_GT(r.fills[1].event_id, r.balances[0].after_event_id);
}

TEST(JournalTest, FillsBeforeAnOpeningBalanceAreKnownButNeverReplayed) {
  const auto path = test::scratch_dir("journal_prior_fills") / "journal.sqlite";
  {
    auto j = fresh(path);
    auto old = fill_of("someone-else-1", "venue-7", 5, "99");
    old.ts = Timestamp{500};
    auto older = fill_of("someone-else-0", "venue-3", 5, "98");
    older.ts = Timestamp{400};
    BalanceRecord b{"paper", "opening", Timestamp{600}, Decimal::from_int(1000), {}, "first start", 0};
    j->record_balance(b, {older, old});
  }
  auto j = fresh(path);
  const auto r = j->recover();
  EXPECT_TRUE(r.fills.empty()) << "a prior fill is not a fill of this journal";
  ASSERT_EQ(r.last_fill.count("paper"), 1u);
  EXPECT_EQ(r.last_fill.at("paper"), Timestamp{500});  // the next reconciliation lists fills from there
  // Known by trade id, per broker: a venue that reports one again never gets it booked twice.
  EXPECT_TRUE(j->knows_fill("paper", sdk::TradeId("venue-3")));
  EXPECT_TRUE(j->knows_fill("paper", sdk::TradeId("venue-7")));
  EXPECT_FALSE(j->knows_fill("paper", sdk::TradeId("venue-8")));
  EXPECT_FALSE(j->knows_fill("other-broker", sdk::TradeId("venue-7")));
  EXPECT_FALSE(j->record_fill("paper", fill_of("someone-else-1", "venue-7", 5, "99"), true));
  EXPECT_TRUE(j->recover().fills.empty());
  EXPECT_TRUE(j->record_fill("other-broker", fill_of("someone-else-1", "venue-7", 5, "99"), true));
}

TEST(JournalTest, KnowsEveryFillItRecordedAcrossRuns) {
  const auto path = test::scratch_dir("journal_knows_fill") / "journal.sqlite";
  {
    auto j = fresh(path);
    EXPECT_FALSE(j->knows_fill("paper", sdk::TradeId("t1")));
    EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false));
    EXPECT_TRUE(j->knows_fill("paper", sdk::TradeId("t1")));
  }
  auto j = fresh(path);  // the next run
  EXPECT_TRUE(j->knows_fill("paper", sdk::TradeId("t1")));
  EXPECT_FALSE(j->knows_fill("paper", sdk::TradeId("t2")));
  EXPECT_FALSE(j->knows_fill("other-broker", sdk::TradeId("t1")));
}

TEST(JournalTest, AnOrdersFillsAreReadBackInBookingOrderWithoutExternalOnes) {
  auto j = fresh(test::scratch_dir("journal_order_fills") / "journal.sqlite");
  add_intent(*j, "ma", 1);  // 10 ordered at paper
  auto first = fill_of("ma-1", "t9", 4, "100");  // booked first, although its id sorts last
  auto second = fill_of("ma-1", "t2", 3, "101");
  second.leaves_quantity = Decimal::from_int(3);  // 4 + 3 of 10 filled
  EXPECT_TRUE(j->record_fill("paper", first, false));
  EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "x1", 9, "99"), true));  // external
  EXPECT_TRUE(j->record_fill("other-broker", fill_of("ma-1", "o1", 5, "99"), false));
  EXPECT_TRUE(j->record_fill("paper", second, false));
  const JournaledOrderFills at_paper = j->order_fills("paper", sdk::ClientOrderId("ma-1"));
  EXPECT_EQ(at_paper.ordered, Decimal::from_int(10));
  ASSERT_EQ(at_paper.fills.size(), 2u);
  EXPECT_EQ(at_paper.fills[0].quantity, Decimal::from_int(4));
  EXPECT_EQ(at_paper.fills[0].leaves, Decimal::from_int(6));
  EXPECT_EQ(at_paper.fills[1].quantity, Decimal::from_int(3));
  EXPECT_EQ(at_paper.fills[1].leaves, Decimal::from_int(3));
  // The intent is paper's: at another broker the order has no quantity, only its fill there.
  const JournaledOrderFills elsewhere = j->order_fills("other-broker", sdk::ClientOrderId("ma-1"));
  EXPECT_TRUE(elsewhere.ordered.is_zero());
  ASSERT_EQ(elsewhere.fills.size(), 1u);
  EXPECT_TRUE(j->order_fills("paper", sdk::ClientOrderId("ma-9")).fills.empty());
}

TEST(JournalTest, AVersionOneJournalIsMigratedKeepingItsRows) {
  const auto path = test::scratch_dir("journal_migrate_v1") / "journal.sqlite";
  {
    auto j = fresh(path);
    add_intent(*j, "ma", 1);
    EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false));
  }
  // Back to what a version-1 mercurio wrote: no prior_fills table, user_version 1.
  exec_sql(path, "DROP TABLE prior_fills; PRAGMA user_version=1;");
  auto j = fresh(path);  // opens (migrating) and begins a run
  const auto r = j->recover();
  ASSERT_EQ(r.orders.size(), 1u);
  ASSERT_EQ(r.fills.size(), 1u);
  EXPECT_TRUE(j->knows_fill("paper", sdk::TradeId("t1")));
  EXPECT_FALSE(j->knows_fill("paper", sdk::TradeId("venue-1")));
  BalanceRecord b{"paper", "opening", Timestamp{600}, Decimal::from_int(1000), {}, "first start", 0};
  j->record_balance(b, {fill_of("x-1", "venue-1", 1, "1")});  // the new table exists now
  EXPECT_TRUE(j->knows_fill("paper", sdk::TradeId("venue-1")));
}

TEST(JournalTest, ANewerSchemaIsRefusedWithTheVersionsNamed) {
  const auto path = test::scratch_dir("journal_newer") / "journal.sqlite";
  fresh(path).reset();
  exec_sql(path, "PRAGMA user_version=7");
  try {
    Journal::open(path);
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::NewerSchema);
    EXPECT_THAT(e.what(), HasSubstr("has schema version 7, newer than this mercurio understands (" +
                                    std::to_string(kJournalSchemaVersion) + ")"));
  }
}

TEST(JournalTest, AFileThatIsNotAJournalIsRefused) {
  const auto dir = test::scratch_dir("journal_foreign");
  std::ofstream(dir / "text.sqlite") << "this is a text file, not a database, long enough to have a header.....................";
  try {
    Journal::open(dir / "text.sqlite");
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::Corrupt);
    EXPECT_THAT(e.what(), HasSubstr("text.sqlite"));
  }
  exec_sql(dir / "other.sqlite", "CREATE TABLE t(x)");
  const auto bytes = [&] {
    std::ifstream in(dir / "other.sqlite", std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::string before = bytes();
  try {
    Journal::open(dir / "other.sqlite");
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_THAT(e.what(), HasSubstr("not a Mercurio journal"));
  }
  // Refused before anything was written to it (WAL mode rewrites bytes 18-19 of the header).
  EXPECT_EQ(bytes(), before);
  EXPECT_FALSE(std::filesystem::exists(dir / "other.sqlite-wal"));
}

// A value a restart cannot read back names the journal, the column and the row it is in.
TEST(JournalTest, AnUnreadableValueNamesTheJournalColumnAndRow) {
  const auto path = test::scratch_dir("journal_bad_decimal") / "journal.sqlite";
  {
    auto j = fresh(path);
    add_intent(*j, "ma", 1);
  }
  exec_sql(path, "UPDATE intents SET quantity = '1e3' WHERE client_order_id = 'ma-1'");
  try {
    Journal::open(path)->recover();
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::Corrupt);
    EXPECT_THAT(e.what(), HasSubstr("journal " + path.string()));
    EXPECT_THAT(e.what(),
                HasSubstr("column intents.quantity of ma-1 holds \"1e3\", not a decimal"));
  }
}

// Client order ids continue after the highest sequence in the journal: a row whose sequence is
// below 1 would wrap the kernel's unsigned counter, so it is refused, naming the intent.
TEST(JournalTest, AnIntentWithASequenceBelowOneIsRefused) {
  const auto path = test::scratch_dir("journal_negative_sequence") / "journal.sqlite";
  {
    auto j = fresh(path);
    add_intent(*j, "ma", 1);
    add_intent(*j, "ma", 2);
  }
  exec_sql(path, "UPDATE intents SET sequence = -3 WHERE client_order_id = 'ma-2'");
  try {
    Journal::open(path)->recover();
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::Corrupt);
    EXPECT_THAT(e.what(), HasSubstr("journal intent ma-2 has sequence -3, expected >= 1"));
  }
}

// Ids and symbols have a fixed capacity; a longer one in the file was not written by Mercurio.
TEST(JournalTest, AnIdLongerThanMercurioWritesIsACorruptJournal) {
  const auto path = test::scratch_dir("journal_long_id") / "journal.sqlite";
  {
    auto j = fresh(path);
    add_intent(*j, "ma", 1);
  }
  const std::string long_id(60, 'x');
  exec_sql(path,
           ("UPDATE intents SET client_order_id = '" + long_id + "' WHERE client_order_id = 'ma-1'")
               .c_str());
  try {
    Journal::open(path)->recover();
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::Corrupt);
    EXPECT_THAT(e.what(), HasSubstr("cannot read journal " + path.string() +
                                    " back: identifier longer than 48 characters: \"" + long_id));
  }
}

TEST(JournalTest, ACorruptedJournalIsRefusedNeverSilentlyUsed) {
  const auto path = test::scratch_dir("journal_corrupt") / "journal.sqlite";
  {
    auto j = fresh(path);
    for (int i = 1; i <= 300; ++i) add_intent(*j, "ma", i);
  }
  exec_sql(path, "PRAGMA wal_checkpoint(TRUNCATE)");
  ASSERT_GT(fs::file_size(path), 4u * 4096u);
  {
    // Overwrite the middle of the file (b-tree pages) with garbage.
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(fs::file_size(path) / 2));
    const std::string garbage(8192, '\x5a');
    f.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  try {
    auto j = Journal::open(path);
    j->recover();
    FAIL() << "expected a refusal";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::Corrupt);
    EXPECT_THAT(e.what(), HasSubstr("corrupt"));
  }
}

TEST(JournalTest, ATornWriteAheadLogTailIsRolledBackToTheLastCompleteCommit) {
  const auto dir = test::scratch_dir("journal_torn");
  const auto path = dir / "journal.sqlite";
  auto j = fresh(path);
  for (int i = 1; i <= 5; ++i) add_intent(*j, "ma", i);
  // Copy the database and its WAL while the writer is still open (nothing checkpointed yet),
  // then cut the WAL in the middle of its last frame: what a crash mid-write leaves behind.
  const fs::path copy = dir / "copy.sqlite";
  fs::copy_file(path, copy);
  fs::copy_file(fs::path(path.string() + "-wal"), fs::path(copy.string() + "-wal"));
  const auto wal_size = fs::file_size(fs::path(copy.string() + "-wal"));
  fs::resize_file(fs::path(copy.string() + "-wal"), wal_size - 100);
  auto recovered = Journal::open(copy)->recover();
  ASSERT_EQ(recovered.orders.size(), 4u);  // the torn last commit is gone, every earlier one is intact
  EXPECT_EQ(recovered.orders.back().record.client_order_id.str(), "ma-4");
  EXPECT_EQ(recovered.last_sequence.at("ma"), 4);
}

TEST(JournalTest, AFullJournalFailsTheWriteAndEveryLaterOne) {
  auto j = Journal::open(test::scratch_dir("journal_full") / "journal.sqlite", 256 * 1024);
  j->begin_run(RunStart{"paper", "c", "h", "v", {}, Timestamp{1}});
  int written = 0;
  try {
    for (int i = 1; i <= 100000; ++i) {
      add_intent(*j, "ma", i);
      ++written;
    }
    FAIL() << "the journal never filled up";
  } catch (const JournalError& e) {
    EXPECT_EQ(e.kind(), JournalError::Kind::Storage);
    EXPECT_THAT(e.what(), HasSubstr("cannot record an order intent in the journal"));
    EXPECT_THAT(e.what(), HasSubstr("full"));
  }
  EXPECT_GT(written, 10);
  EXPECT_TRUE(j->failed());
  EXPECT_THROW(j->record_state_change(Timestamp{2}, "ACTIVE", "HALTED", "x"), JournalError);
}

}  // namespace
namespace {
// Rows of `table` another connection sees (what a crash right now would leave on disk).
std::int64_t committed_rows(const fs::path& path, const char* table) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  const std::string sql = std::string("SELECT count(*) FROM ") + table;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  std::int64_t n = -1;
  if (sqlite3_step(s) == SQLITE_ROW) n = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return n;
}
}  // namespace

// A synced journal commits each intent before the call returns (the write-ahead rule); an unsynced
// one (backtests) batches them, and commits on flush() and at the run's end.
TEST(JournalTest, OnlyASyncedJournalCommitsEveryIntentAtOnce) {
  const auto synced_path = test::scratch_dir("journal_synced_commits") / "journal.sqlite";
  {
    auto j = fresh(synced_path);
    add_intent(*j, "ma", 1);
    EXPECT_EQ(committed_rows(synced_path, "intents"), 1);
  }
  const auto path = test::scratch_dir("journal_unsynced_commits") / "journal.sqlite";
  auto j = Journal::open(path, 0, false);
  j->begin_run(RunStart{"backtest", "mercurio.toml", "abc", "0.1.0", {{"paper", "mercurio.brokers.paper", "1.0.0", "lib.so", "ff"}}, Timestamp{1}});
  add_intent(*j, "ma", 1);
  add_intent(*j, "ma", 2);
  EXPECT_TRUE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false));
  EXPECT_EQ(committed_rows(path, "intents"), 0);
  j->flush();
  EXPECT_EQ(committed_rows(path, "intents"), 2);
  EXPECT_EQ(committed_rows(path, "order_events"), 1);
  add_intent(*j, "ma", 3);
  j->end_run(Timestamp{9});
  EXPECT_EQ(committed_rows(path, "intents"), 3);
  EXPECT_FALSE(j->record_fill("paper", fill_of("ma-1", "t1", 4, "100"), false)) << "a repeat is refused, batched or not";
}

}  // namespace mercurio::kernel
