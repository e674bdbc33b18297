// mercurio report trades|orders|equity|tax: reads the deployment's journal (read-only) and prints
// or writes a CSV or JSON report. The logic lives in framework/src/report; this is the CLI.

#include <charconv>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include <boost/program_options.hpp>
#include <toml++/toml.h>

#include "app/commands.hpp"
#include "mercurio/text/single_line.hpp"
#include "report/journal_reader.hpp"
#include "report/report_error.hpp"
#include "report/report_tables.hpp"
#include "report/report_writer.hpp"
#include "report/tax_report.hpp"

namespace po = boost::program_options;

namespace mercurio::app {

namespace {

using report::ReportError;

constexpr int kFirstYear = 1678;  // the range 64-bit nanosecond timestamps cover
constexpr int kLastYear = 2261;

std::string in_quotes(const std::string& s) { return "\"" + s + "\""; }

// A usage or configuration problem (exit 2), as opposed to a journal problem (exit 1).
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The journal file: --journal, or the [journal] path of the config (relative to the config's folder).
std::filesystem::path journal_path(const po::variables_map& vm) {
  if (vm.count("journal")) {
    if (!vm["config"].defaulted()) throw UsageError("give --config or --journal, not both");
    return vm["journal"].as<std::string>();
  }
  const std::filesystem::path config = vm["config"].as<std::string>();
  if (!std::filesystem::exists(config))
    throw UsageError("config " + config.string() + " does not exist (pass --config FILE or --journal PATH)");
  toml::table root;
  try {
    root = toml::parse_file(config.string());
  } catch (const toml::parse_error& e) {
    throw UsageError(config.string() + ":" + std::to_string(e.source().begin.line) + ":" + std::to_string(e.source().begin.column) +
                     ": TOML syntax error: " + std::string(e.description()));
  }
  const toml::node* node = root.at_path("journal.path").node();
  if (!node) throw UsageError(config.string() + ": [journal] path is missing (or pass --journal PATH)");
  const auto* text = node->as_string();
  if (!text || text->get().empty()) {
    const auto& where = node->source().begin;
    throw UsageError(config.string() + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                     ": journal.path expected a non-empty string");
  }
  const std::filesystem::path path = text->get();
  if (path.is_absolute()) return path;
  return (std::filesystem::absolute(config).parent_path() / path).lexically_normal();
}

std::optional<kernel::CivilDate> date_option(const po::variables_map& vm, const char* name) {
  if (!vm.count(name)) return std::nullopt;
  const std::string text = vm[name].as<std::string>();
  const auto date = kernel::CivilDate::parse(text);
  if (!date) throw UsageError(std::string("--") + name + " expected YYYY-MM-DD, was " + in_quotes(text));
  return date;
}

int year_option(const std::string& text) {
  int year = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc{} || end != text.data() + text.size() || text.size() != 4 || year < kFirstYear || year > kLastYear)
    throw UsageError("--year expected a year YYYY between " + std::to_string(kFirstYear) + " and " + std::to_string(kLastYear) +
                     ", was " + in_quotes(text));
  return year;
}

std::string json_date(const std::optional<kernel::CivilDate>& d) { return d ? d->to_string() : std::string(); }

}  // namespace

int report_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio report options");
  options.add_options()("help,h", "show this help")(
      "config", po::value<std::string>()->default_value("mercurio.toml"),
      "configuration file whose [journal] path names the journal (relative to the file's folder)")(
      "journal", po::value<std::string>(), "the journal file itself (instead of --config)")(
      "from", po::value<std::string>(), "first UTC date, YYYY-MM-DD (inclusive; trades, orders, equity)")(
      "to", po::value<std::string>(), "last UTC date, YYYY-MM-DD (inclusive; trades, orders, equity)")(
      "year", po::value<std::string>(), "tax year YYYY (tax; required)")(
      "format", po::value<std::string>()->default_value("csv"), "csv or json")(
      "output", po::value<std::string>(), "write to FILE (atomically) instead of standard output");
  po::options_description hidden;
  hidden.add_options()("report", po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("report", 1);

  const std::string usage = std::string(
      "Usage: mercurio report trades|orders|equity|tax [--config mercurio.toml | --journal PATH]\n"
      "                       [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--year YYYY] [--format csv|json] [--output FILE]\n"
      "Reads the deployment's journal (read-only) and reports:\n"
      "  trades  one row per fill: time, broker, strategy, client_order_id, symbol, side, quantity,\n"
      "          price, commission, trade_id\n"
      "  orders  one row per order intent: its status, filled quantity, average fill price and risk decision\n"
      "  equity  the equity samples: time, run_id, cash, positions_value, equity\n"
      "  tax     --year YYYY: realized gains by FIFO tax lots, one row per lot disposal, with totals\n"
      "          (short-term, long-term, all)\n\n") +
      report::kTaxNotice +
      "\n\nDates and times are UTC; decimals are exact text. Exit codes: 0 done, 1 the journal could not be\n"
      "read (nothing written), 2 bad usage or configuration.";

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << options;
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mercurio report: " << text::printable_lines(e.what()) << "\n\n"
              << usage << "\n\n"
              << options;
    return kExitBadConfig;
  }

  std::string kind;
  std::filesystem::path journal;
  report::DateRange range;
  int year = 0;
  const std::string format = vm["format"].as<std::string>();
  try {
    if (!vm.count("report")) throw UsageError("which report? expected trades, orders, equity or tax");
    kind = vm["report"].as<std::string>();
    if (kind != "trades" && kind != "orders" && kind != "equity" && kind != "tax")
      throw UsageError("report expected trades, orders, equity or tax, was " + in_quotes(kind));
    if (format != "csv" && format != "json") throw UsageError("--format expected csv or json, was " + in_quotes(format));
    range.from = date_option(vm, "from");
    range.to = date_option(vm, "to");
    if (range.from && range.to && *range.from > *range.to)
      throw UsageError("--to expected a date on or after --from " + range.from->to_string() + ", was " + range.to->to_string());
    if (kind == "tax") {
      if (range.from || range.to) throw UsageError("tax takes --year, not --from/--to");
      if (!vm.count("year")) throw UsageError("tax expected --year YYYY");
      year = year_option(vm["year"].as<std::string>());
    } else if (vm.count("year")) {
      throw UsageError("--year applies to the tax report only; use --from/--to for " + kind);
    }
    journal = journal_path(vm);
  } catch (const UsageError& e) {
    std::cerr << "mercurio report: " << text::printable_lines(e.what()) << "\n";
    return kExitBadConfig;
  }

  try {
    report::JournalReader reader(journal);
    std::string text;
    if (kind == "tax") {
      const report::TaxReport tax = report::build_tax_report(reader.fills(), reader.balances(), year);
      text = format == "csv" ? report::to_csv(report::tax_csv_table(tax.year)) : report::to_json_text(report::tax_json(tax));
      for (const std::string& w : tax.warnings)
        std::cerr << "mercurio report: warning: " << text::printable_lines(w) << "\n";
    } else {
      report::Table table;
      if (kind == "trades") table = report::trades_table(reader.fills(), range);
      if (kind == "orders") table = report::orders_table(reader.orders(), reader.fills(), range);
      if (kind == "equity") table = report::equity_table(reader.equity(), range);
      if (format == "csv") {
        text = report::to_csv(table);
      } else {
        auto o = report::ordered_object();
        o->set("report", kind);
        o->set("from", json_date(range.from));
        o->set("to", json_date(range.to));
        o->set("rows", report::to_json_rows(table));
        text = report::to_json_text(o);
      }
    }
    if (vm.count("output")) {
      report::write_file_atomically(vm["output"].as<std::string>(), text);
    } else {
      std::cout << text << std::flush;
      if (!std::cout) throw ReportError("cannot write to standard output");
    }
  } catch (const std::exception& e) {
    // ReportError, and Decimal overflow in a sum: either way nothing was written.
    std::cerr << "mercurio report " << kind << ": " << text::printable_lines(e.what()) << "\n";
    return kExitRunFailed;
  }
  return kExitOk;
}

}  // namespace mercurio::app
