#pragma once
// What identifies a journal file, read the same way by the journal (which migrates an older
// schema) and by the report reader (which reads only the current one and never writes).

#include <cstdint>

#include "journal/sqlite_db.hpp"

namespace mercurio::kernel {

struct JournalHeader {
  std::int64_t application_id = 0;  // PRAGMA application_id: journal_schema::kApplicationId for ours
  std::int64_t version = 0;         // PRAGMA user_version: the schema version
  bool empty = true;                // no table yet (a file just created)
};

/// Throws SqliteError (a file that is not an SQLite database fails here, SQLITE_NOTADB).
JournalHeader read_journal_header(SqliteDb& db);

}  // namespace mercurio::kernel
