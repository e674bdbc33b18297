#pragma once
// Durable trading state: what must survive a restart (kill -9 included) so that a tripped breaker
// stays tripped. One small TOML file written atomically (temp file, fsync, rename, fsync of the
// directory), plus an append-only audit log of operator actions, in [kernel] state_dir.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mercurio/sdk/decimal.hpp"
#include "mercurio/sdk/time.hpp"
#include "risk/risk_limits.hpp"

namespace mercurio::kernel {

struct PersistedRiskState {
  std::string state = "ACTIVE";  // ACTIVE | REDUCING | HALTED
  std::string reason;
  sdk::Timestamp since;
  std::int64_t day = INT64_MIN;  // UTC day of the daily-loss reference
  sdk::Decimal day_start_equity;
  std::optional<sdk::Decimal> last_equity;
  sdk::Decimal peak_equity;
  bool reducing_for_daily_loss = false;
  bool rearm_pending = false;  // resumed by an operator: the next equity re-arms the breakers
  // The drawdown breaker tripped and no operator has resumed since (a halt for another cause
  // still lets it trip). Files written before the key existed: a HALTED whose reason is a drawdown.
  bool drawdown_tripped = false;
  // An operator's halt of the whole deployment (the kill switch) holds: a restart judges every
  // strategy's working orders again. Files written before the key existed: a HALTED whose reason
  // is an operator's.
  bool kill_switch = false;
  std::map<std::string, std::string> disabled_strategies;  // id -> why
  // Procedures still running at the save, taken up again after the next start's reconciliation:
  // a flatten stopped half way (its protective orders cancelled, positions still open) or an
  // emergency procedure waiting for its broker would otherwise be forgotten by a restart.
  std::map<std::string, std::string> flattening_strategies;  // strategy id -> why
  std::map<std::string, DrawdownAction> pending_emergencies;  // broker id -> cancel | flatten
};

/// An operator command left in state_dir/commands by `mercurio halt|resume|enable-strategy|flatten`.
struct OperatorCommand {
  std::filesystem::path file;
  std::string action;  // halt | resume | enable-strategy | flatten
  std::string by;
  std::string reason;
  std::string strategy;  // scope: one strategy (enable-strategy, or halt/resume/flatten --strategy)
  std::string broker;    // scope: every strategy trading on one broker (halt/resume/flatten --broker)
  sdk::Timestamp at;
};

/// The queued commands, or why the queue could not be listed (then none: applied out of order, a
/// resume could overtake the halt it was meant to follow).
struct CommandQueue {
  std::vector<OperatorCommand> commands;
  std::string error;  // empty when listed
};

class RiskStateStore {
 public:
  explicit RiskStateStore(std::filesystem::path state_dir);

  const std::filesystem::path& dir() const noexcept { return dir_; }
  std::filesystem::path state_file() const { return dir_ / "risk_state.toml"; }
  std::filesystem::path audit_file() const { return dir_ / "audit.log"; }
  std::filesystem::path commands_dir() const { return dir_ / "commands"; }

  /// Creates the directories; throws std::runtime_error naming the path when it cannot.
  void prepare() const;
  /// The saved state, nullopt when there is none yet. Throws std::runtime_error (naming the file
  /// and what is wrong) for a file that cannot be read or parsed: never start on a guess.
  std::optional<PersistedRiskState> load() const;
  /// Writes the state durably; returns an error message, empty on success.
  std::string save(const PersistedRiskState& state) const;
  /// Appends one line to the audit log and syncs it; returns an error message, empty on success.
  std::string audit(const std::string& line) const;

  /// Queues a command for the kernel (the CLI side); throws std::runtime_error on failure.
  void enqueue(const OperatorCommand& command) const;
  /// The queued commands, oldest first (with `only_action`, only those). They stay queued until
  /// remove_command(): the kernel removes each once its effect is saved, so a crash while one is
  /// applied loses none queued behind it (one applied twice is harmless: halt, resume and
  /// acknowledge then find nothing to do). Unreadable command files are returned with action
  /// "invalid" and the problem in `reason`; a queue that cannot be listed (the directory gone,
  /// replaced or unreadable) returns no command and the error, naming the directory.
  CommandQueue queued_commands(std::string_view only_action = {}) const;
  /// Removes a command returned by queued_commands() from the queue; returns an error message
  /// (naming the file), empty on success.
  std::string remove_command(const OperatorCommand& command) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace mercurio::kernel
