#pragma once
// The journal's schema, one migration per version: migration[i] takes a journal from version i to i+1.

#include <array>
#include <string_view>

namespace mercurio::kernel::journal_schema {

/// 'MRCU': marks a SQLite file as a Mercurio journal (PRAGMA application_id).
inline constexpr int kApplicationId = 0x4D524355;

inline constexpr std::array<std::string_view, 2> kMigrations = {
    // 0 -> 1
    R"sql(
CREATE TABLE runs (
  run_id INTEGER PRIMARY KEY,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  mode TEXT NOT NULL,
  config_path TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  mercurio_version TEXT NOT NULL);
CREATE TABLE run_plugins (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  plugin_id TEXT NOT NULL,
  name TEXT NOT NULL,
  version TEXT NOT NULL,
  library TEXT NOT NULL,
  file_hash TEXT NOT NULL);
CREATE TABLE risk_decisions (
  decision_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  ts INTEGER NOT NULL,
  strategy TEXT NOT NULL,
  broker TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  quantity TEXT NOT NULL,
  approved INTEGER NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL);
CREATE TABLE intents (
  client_order_id TEXT PRIMARY KEY,
  sequence INTEGER NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  decision_id INTEGER NOT NULL REFERENCES risk_decisions(decision_id),
  strategy TEXT NOT NULL,
  broker TEXT NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  type TEXT NOT NULL,
  time_in_force TEXT NOT NULL,
  quantity TEXT NOT NULL,
  limit_price TEXT,
  stop_price TEXT,
  tag TEXT NOT NULL,
  liquidation INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL,
  status_at INTEGER NOT NULL,
  note TEXT NOT NULL DEFAULT '');
CREATE INDEX intents_by_strategy ON intents(strategy, sequence);
CREATE TABLE order_events (
  event_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  broker TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  type TEXT NOT NULL,
  ts INTEGER NOT NULL,
  symbol TEXT NOT NULL,
  side TEXT NOT NULL,
  trade_id TEXT,
  fill_quantity TEXT,
  fill_price TEXT,
  commission TEXT,
  leaves_quantity TEXT NOT NULL,
  reason TEXT NOT NULL,
  venue_order_id TEXT NOT NULL,
  external INTEGER NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX fills_by_trade_id ON order_events(broker, trade_id) WHERE trade_id IS NOT NULL;
CREATE INDEX events_by_order ON order_events(client_order_id);
CREATE INDEX events_by_time ON order_events(ts);
CREATE TABLE state_changes (
  change_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  ts INTEGER NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  reason TEXT NOT NULL);
CREATE TABLE operator_actions (
  action_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  ts INTEGER NOT NULL,
  who TEXT NOT NULL,
  action TEXT NOT NULL,
  scope TEXT NOT NULL,
  reason TEXT NOT NULL,
  result TEXT NOT NULL);
CREATE TABLE equity (
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  ts INTEGER NOT NULL,
  cash TEXT NOT NULL,
  positions_value TEXT NOT NULL,
  equity TEXT NOT NULL);
CREATE INDEX equity_by_time ON equity(ts);
CREATE TABLE balances (
  balance_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  broker TEXT NOT NULL,
  kind TEXT NOT NULL,
  ts INTEGER NOT NULL,
  cash TEXT NOT NULL,
  after_event_id INTEGER NOT NULL,
  reason TEXT NOT NULL);
CREATE TABLE balance_positions (
  balance_id INTEGER NOT NULL REFERENCES balances(balance_id),
  symbol TEXT NOT NULL,
  quantity TEXT NOT NULL,
  average_price TEXT NOT NULL);
CREATE TABLE reconciliations (
  reconciliation_id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(run_id),
  ts INTEGER NOT NULL,
  broker TEXT NOT NULL,
  result TEXT NOT NULL,
  diff TEXT NOT NULL);
)sql",
    // 1 -> 2: fills the venue had executed before a broker's opening balance. They are in that
    // balance already: known by trade id so the reconciliation never applies them a second time.
    R"sql(
CREATE TABLE prior_fills (
  broker TEXT NOT NULL,
  trade_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  balance_id INTEGER NOT NULL REFERENCES balances(balance_id),
  PRIMARY KEY (broker, trade_id));
)sql",
};

}  // namespace mercurio::kernel::journal_schema
