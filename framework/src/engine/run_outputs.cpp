#include "engine/run_outputs.hpp"

#include <stdexcept>
#include <system_error>

namespace mercurio::kernel {
namespace {

std::FILE* open_for_write(const std::filesystem::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path.string() + ": " + std::generic_category().message(errno));
  static constexpr std::size_t kBuffer = 1 << 16;
  std::setvbuf(f, nullptr, _IOFBF, kBuffer);
  return f;
}

// Appends one decimal and a separator to `p`.
char* put(char* p, sdk::Decimal d, char sep) {
  p += d.format(p);
  *p++ = sep;
  return p;
}
char* put(char* p, std::string_view s, char sep) {
  for (char c : s) *p++ = c;
  *p++ = sep;
  return p;
}

}  // namespace

RunOutputs::RunOutputs(const std::filesystem::path& dir)
    : trades_path_(dir / "trades.csv"), equity_path_(dir / "equity.csv") {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory " + dir.string() + ": " + ec.message());
  trades_ = open_for_write(trades_path_);
  equity_ = open_for_write(equity_path_);
  std::fputs("timestamp,symbol,side,quantity,price,commission,client_order_id,strategy,broker,trade_id\n", trades_);
  std::fputs("timestamp,cash,positions_value,equity,drawdown\n", equity_);
}

RunOutputs::~RunOutputs() {
  if (trades_) std::fclose(trades_);
  if (equity_) std::fclose(equity_);
}

void RunOutputs::trade(const sdk::OrderEvent& f, std::string_view strategy_id, std::string_view broker_id) {
  char buf[512];
  char* p = buf;
  p += f.ts.format_iso8601(p);
  *p++ = ',';
  p = put(p, f.symbol.view(), ',');
  p = put(p, sdk::to_string(f.side), ',');
  p = put(p, f.fill_quantity, ',');
  p = put(p, f.fill_price, ',');
  p = put(p, f.commission, ',');
  p = put(p, f.client_order_id.view(), ',');
  p = put(p, strategy_id.substr(0, 64), ',');
  p = put(p, broker_id.substr(0, 64), ',');
  p = put(p, f.trade_id.view(), '\n');
  std::fwrite(buf, 1, static_cast<std::size_t>(p - buf), trades_);
}

void RunOutputs::equity(sdk::Timestamp ts, sdk::Decimal cash, sdk::Decimal positions_value, sdk::Decimal equity,
                        sdk::Decimal drawdown) {
  char buf[160];
  char* p = buf;
  p += ts.format_iso8601(p);
  *p++ = ',';
  p = put(p, cash, ',');
  p = put(p, positions_value, ',');
  p = put(p, equity, ',');
  p = put(p, drawdown, '\n');
  std::fwrite(buf, 1, static_cast<std::size_t>(p - buf), equity_);
}

void RunOutputs::close() {
  bool ok = true;
  for (std::FILE** f : {&trades_, &equity_}) {
    if (!*f) continue;
    ok = (std::fflush(*f) == 0) && !std::ferror(*f) && ok;
    ok = (std::fclose(*f) == 0) && ok;
    *f = nullptr;
  }
  if (!ok) throw std::runtime_error("writing " + trades_path_.string() + " or " + equity_path_.string() + " failed (disk full?)");
}

}  // namespace mercurio::kernel
