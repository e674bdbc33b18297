#pragma once
// Reads a deployment's journal for reports: opened read-only, inside one read transaction (a
// consistent snapshot even while the kernel writes), after checking that the file is a Mercurio
// journal whose schema this binary understands.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/time.hpp"
#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {
class SqliteDb;
}

namespace mercurio::report {

struct FillRow {
  std::int64_t event_id = 0;
  std::string broker;
  std::string strategy;  ///< "external" for fills without a journaled intent
  bool external = false;  ///< no journaled intent of ours (the broker reported someone else's trade)
  std::string client_order_id;
  sdk::Timestamp ts;
  std::string symbol;
  sdk::Side side = sdk::Side::Buy;
  sdk::Decimal quantity;
  sdk::Decimal price;
  sdk::Decimal commission;
  std::string trade_id;
};

struct OrderRow {
  std::string client_order_id;
  std::string strategy;
  std::string broker;
  std::string symbol;
  std::string side;
  std::string type;
  std::string time_in_force;
  sdk::Decimal quantity;
  std::optional<sdk::Decimal> limit_price;
  std::optional<sdk::Decimal> stop_price;
  std::string tag;
  sdk::Timestamp created;
  std::string status;
  sdk::Timestamp status_at;
  std::string note;
  bool approved = false;
  std::string risk_reason;
  std::string risk_message;
};

struct EquityRow {
  std::int64_t run_id = 0;
  sdk::Timestamp ts;
  sdk::Decimal cash;
  sdk::Decimal positions_value;
  sdk::Decimal equity;
};

struct BalancePosition {
  std::string symbol;
  sdk::Decimal quantity;  ///< negative: short
  sdk::Decimal average_price;
};

struct BalanceRow {
  std::int64_t balance_id = 0;
  std::string broker;
  std::string kind;  ///< "opening" | "adjustment"
  sdk::Timestamp ts;
  std::int64_t after_event_id = 0;
  std::vector<BalancePosition> positions;
};

class JournalReader {
 public:
  /// Throws ReportError naming `path` when the file is missing, unreadable, not a Mercurio journal,
  /// or written with a newer (or no) schema.
  explicit JournalReader(const std::filesystem::path& path);
  ~JournalReader();
  JournalReader(const JournalReader&) = delete;
  JournalReader& operator=(const JournalReader&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }

  /// Every fill, in venue-time order (ties in journal order).
  std::vector<FillRow> fills();
  /// Every order intent with its risk decision, in creation order.
  std::vector<OrderRow> orders();
  std::vector<EquityRow> equity();
  /// Every balance record with its positions, in journal order.
  std::vector<BalanceRow> balances();

 private:
  template <typename F>
  auto read(const char* what, F&& body);

  std::filesystem::path path_;
  std::unique_ptr<kernel::SqliteDb> db_;
};

}  // namespace mercurio::report
