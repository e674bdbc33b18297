#include "journal/journal_header.hpp"

namespace mercurio::kernel {

JournalHeader read_journal_header(SqliteDb& db) {
  JournalHeader h;
  auto app = db.prepare("PRAGMA application_id");
  app.step();
  h.application_id = app.column_int(0);
  auto ver = db.prepare("PRAGMA user_version");
  ver.step();
  h.version = ver.column_int(0);
  auto tables = db.prepare("SELECT count(*) FROM sqlite_master");
  tables.step();
  h.empty = tables.column_int(0) == 0;
  return h;
}

}  // namespace mercurio::kernel
