#include "risk/risk_state_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <toml++/toml.h>

#include "mercurio/durable_file/durable_file.hpp"

namespace mercurio::kernel {
namespace {

using durable_file::write_durably;

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string require_string(const toml::table& t, const char* key, const std::filesystem::path& file) {
  if (auto v = t[key].value<std::string>()) return *v;
  throw std::runtime_error(file.string() + ": key \"" + key + "\" missing or not a string");
}
sdk::Decimal require_decimal(const toml::table& t, const char* key, const std::filesystem::path& file) {
  if (auto d = sdk::Decimal::parse(require_string(t, key, file))) return *d;
  throw std::runtime_error(file.string() + ": key \"" + key + "\" is not a decimal");
}
std::int64_t require_integer(const toml::table& t, const char* key, const std::filesystem::path& file) {
  if (auto v = t[key].value<std::int64_t>()) return *v;
  throw std::runtime_error(file.string() + ": key \"" + key + "\" missing or not an integer");
}

// A table of text values (`id = "text"`); anything else is an error naming the key: a value read
// as empty would drop a hold or a flatten at the next save.
std::map<std::string, std::string> require_text_table(const toml::table& t, const char* key,
                                                      const std::filesystem::path& file) {
  std::map<std::string, std::string> out;
  const toml::node* node = t.get(key);
  if (node == nullptr) return out;
  const toml::table* table = node->as_table();
  if (table == nullptr)
    throw std::runtime_error(file.string() + ": key \"" + key + "\" is not a table");
  for (auto&& [k, v] : *table) {
    auto text = v.value<std::string>();
    if (!text)
      throw std::runtime_error(file.string() + ": key \"" + key + "." + std::string(k.str()) +
                               "\" is not a string");
    out[std::string(k.str())] = *text;
  }
  return out;
}

toml::table text_table(const std::map<std::string, std::string>& values) {
  toml::table t;
  for (const auto& [k, v] : values) t.insert(k, v);
  return t;
}

}  // namespace

RiskStateStore::RiskStateStore(std::filesystem::path state_dir) : dir_(std::move(state_dir)) {}

void RiskStateStore::prepare() const {
  std::error_code ec;
  std::filesystem::create_directories(commands_dir(), ec);
  if (ec) throw std::runtime_error("cannot create the state directory " + commands_dir().string() + ": " + ec.message());
}

std::optional<PersistedRiskState> RiskStateStore::load() const {
  const auto file = state_file();
  if (!std::filesystem::exists(file)) return std::nullopt;
  toml::table t;
  try {
    t = toml::parse(read_text(file), file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(file.string() + ":" + std::to_string(e.source().begin.line) + ": the saved trading state is corrupt (" +
                             std::string(e.description()) + "); refusing to start on a guess. Inspect it, then remove it only if "
                             "you are sure no breaker was tripped");
  }
  PersistedRiskState s;
  s.state = require_string(t, "state", file);
  if (s.state != "ACTIVE" && s.state != "REDUCING" && s.state != "HALTED")
    throw std::runtime_error(file.string() + ": state must be ACTIVE, REDUCING or HALTED, was \"" + s.state + "\"");
  s.reason = require_string(t, "reason", file);
  s.since = sdk::Timestamp{require_integer(t, "since_ns", file)};
  s.day = require_integer(t, "day", file);
  s.day_start_equity = require_decimal(t, "day_start_equity", file);
  if (t.contains("last_equity")) s.last_equity = require_decimal(t, "last_equity", file);
  s.peak_equity = require_decimal(t, "peak_equity", file);
  if (auto b = t["reducing_for_daily_loss"].value<bool>()) s.reducing_for_daily_loss = *b;
  else throw std::runtime_error(file.string() + ": key \"reducing_for_daily_loss\" missing or not a boolean");
  s.rearm_pending = t["rearm_pending"].value_or(false);
  if (!t.contains("drawdown_tripped"))
    s.drawdown_tripped = s.state == "HALTED" && s.reason.rfind("drawdown ", 0) == 0;
  else if (auto b = t["drawdown_tripped"].value<bool>())
    s.drawdown_tripped = *b;
  else
    throw std::runtime_error(file.string() + ": key \"drawdown_tripped\" is not a boolean");
  if (!t.contains("kill_switch"))
    s.kill_switch = s.state == "HALTED" && s.reason.rfind("operator ", 0) == 0;
  else if (auto b = t["kill_switch"].value<bool>())
    s.kill_switch = *b;
  else
    throw std::runtime_error(file.string() + ": key \"kill_switch\" is not a boolean");
  s.disabled_strategies = require_text_table(t, "disabled_strategies", file);
  s.flattening_strategies = require_text_table(t, "flattening_strategies", file);
  for (const auto& [broker, text] : require_text_table(t, "pending_emergencies", file)) {
    const auto action = parse_drawdown_action(text);
    if (!action || *action == DrawdownAction::Hold)
      throw std::runtime_error(file.string() + ": key \"pending_emergencies." + broker +
                               "\" must be \"cancel\" or \"flatten\", was \"" + text + "\"");
    s.pending_emergencies[broker] = *action;
  }
  return s;
}

std::string RiskStateStore::save(const PersistedRiskState& s) const {
  toml::table t;
  t.insert("state", s.state);
  t.insert("reason", s.reason);
  t.insert("since_ns", s.since.ns);
  t.insert("since", s.since.ns == INT64_MIN ? std::string() : s.since.to_iso8601());
  t.insert("day", s.day);
  t.insert("day_start_equity", s.day_start_equity.to_string());
  if (s.last_equity) t.insert("last_equity", s.last_equity->to_string());
  t.insert("peak_equity", s.peak_equity.to_string());
  t.insert("reducing_for_daily_loss", s.reducing_for_daily_loss);
  t.insert("rearm_pending", s.rearm_pending);
  t.insert("drawdown_tripped", s.drawdown_tripped);
  t.insert("kill_switch", s.kill_switch);
  t.insert("disabled_strategies", text_table(s.disabled_strategies));
  t.insert("flattening_strategies", text_table(s.flattening_strategies));
  toml::table emergencies;
  for (const auto& [broker, action] : s.pending_emergencies)
    emergencies.insert(broker, to_string(action));
  t.insert("pending_emergencies", std::move(emergencies));
  std::ostringstream out;
  out << "# Mercurio trading state: written by the kernel, read at start. Do not edit while it runs.\n" << t << "\n";
  return write_durably(state_file(), out.str());
}

std::string RiskStateStore::audit(const std::string& line) const {
  const int fd = ::open(audit_file().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot open " + audit_file().string() + ": " + std::generic_category().message(errno);
  const std::string text = line + "\n";
  const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  ::close(fd);
  return ok ? std::string() : "cannot write " + audit_file().string();
}

void RiskStateStore::enqueue(const OperatorCommand& c) const {
  prepare();
  toml::table t;
  t.insert("action", c.action);
  t.insert("by", c.by);
  t.insert("reason", c.reason);
  t.insert("strategy", c.strategy);
  t.insert("broker", c.broker);
  t.insert("at_ns", c.at.ns);
  std::ostringstream out;
  out << t << "\n";
  // Names sort by time, then by process, so commands are applied in the order they were given.
  char name[64];
  std::snprintf(name, sizeof name, "%020lld-%08d.toml", static_cast<long long>(c.at.ns), static_cast<int>(::getpid()));
  // Readable by all: the kernel may run as another user than the operator who queues it (a
  // command it cannot read HALTS trading). A command holds nothing secret.
  if (auto err = write_durably(commands_dir() / name, out.str(), 0644); !err.empty())
    throw std::runtime_error(err);
}

CommandQueue RiskStateStore::queued_commands(std::string_view only_action) const {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  const auto listing_error = [&] {
    return CommandQueue{
        {},
        "cannot list the operator command queue " + commands_dir().string() + ": " + ec.message()};
  };
  std::filesystem::directory_iterator it(commands_dir(), ec);
  if (ec) return listing_error();
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) return listing_error();
    // A file whose type cannot be read is taken as a command: then it is refused as unreadable.
    std::error_code type_ec;
    const bool regular = it->is_regular_file(type_ec) || type_ec;
    if (regular && it->path().extension() == ".toml") files.push_back(it->path());
  }
  if (ec) return listing_error();
  std::sort(files.begin(), files.end());
  CommandQueue queue;
  auto& out = queue.commands;
  for (const auto& f : files) {
    OperatorCommand c;
    c.file = f;
    try {
      const toml::table t = toml::parse(read_text(f), f.string());
      c.action = require_string(t, "action", f);
      c.by = require_string(t, "by", f);
      c.reason = require_string(t, "reason", f);
      c.strategy = t["strategy"].value_or(std::string());
      c.broker = t["broker"].value_or(std::string());
      c.at = sdk::Timestamp{require_integer(t, "at_ns", f)};
    } catch (const std::exception& e) {
      c.action = "invalid";
      c.reason = e.what();
    }
    if (!only_action.empty() && c.action != only_action) continue;
    out.push_back(std::move(c));
  }
  return queue;
}

std::string RiskStateStore::remove_command(const OperatorCommand& command) const {
  std::error_code ec;
  std::filesystem::remove(command.file, ec);
  if (!ec) return {};
  return "cannot remove the applied command " + command.file.string() +
         " from the queue: " + ec.message();
}

}  // namespace mercurio::kernel
