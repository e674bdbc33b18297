#pragma once
// A thin RAII layer over SQLite's C API: one connection, prepared statements, errors as a typed
// exception that keeps SQLite's result code (the journal decides "disk full" vs "corrupt" on it).

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mercurio::kernel {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
  /// The primary result code (SQLITE_FULL, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_NOTADB, ...).
  int code() const noexcept { return code_ & 0xff; }
  bool is_corruption() const noexcept { return code() == SQLITE_CORRUPT || code() == SQLITE_NOTADB; }

 private:
  int code_;
};

class SqliteStatement;

/// Process-wide SQLite settings, made by the executable's main() before any connection opens
/// (SQLite refuses them later; they are then left as they were). Memory statistics off: with them
/// on, every allocation SQLite makes takes a global mutex, which Mercurio never reads (about a
/// tenth of a backtest with a journal).
void configure_sqlite_for_this_process() noexcept;

class SqliteDb {
 public:
  /// Opens (and with `create`, creates) the database file. Throws SqliteError naming the path.
  SqliteDb(const std::filesystem::path& path, bool create, bool read_only = false);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  /// Runs one or more statements without results.
  void exec(std::string_view sql);
  SqliteStatement prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const noexcept;
  int changes() const noexcept;
  const std::filesystem::path& path() const noexcept { return path_; }
  sqlite3* handle() noexcept { return db_; }

  /// Throws SqliteError with "<path>: <what>: <sqlite message>" when rc is not OK/ROW/DONE.
  void check(int rc, std::string_view what) const;

 private:
  std::filesystem::path path_;
  sqlite3* db_ = nullptr;
};

/// A prepared statement; bind by 1-based index, step, read columns by 0-based index.
class SqliteStatement {
 public:
  SqliteStatement(SqliteDb& db, sqlite3_stmt* stmt) : db_(&db), stmt_(stmt) {}
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) { other.stmt_ = nullptr; }
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& bind(int index, std::int64_t value);
  SqliteStatement& bind(int index, std::string_view value);
  SqliteStatement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  SqliteStatement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  SqliteStatement& bind_null(int index);
  /// Binds the value, or NULL when empty.
  template <typename T>
  SqliteStatement& bind(int index, const std::optional<T>& value) {
    return value ? bind(index, *value) : bind_null(index);
  }

  /// True while a row is available; false when done. Throws on error.
  bool step();
  /// Steps a statement that returns no rows, then resets it for reuse.
  void run();
  void reset();

  std::int64_t column_int(int column) const;
  std::string column_text(int column) const;
  bool column_is_null(int column) const;

 private:
  SqliteDb* db_;
  sqlite3_stmt* stmt_;
};

}  // namespace mercurio::kernel
