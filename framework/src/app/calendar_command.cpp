// mercurio calendar: prints a market calendar's sessions as CSV (date,open_utc,close_utc).

#include <iostream>
#include <string>

#include <boost/program_options.hpp>

#include "app/commands.hpp"
#include "calendar/market_calendar.hpp"
#include "mercurio/text/single_line.hpp"

namespace po = boost::program_options;

namespace mercurio::app {

namespace {

constexpr int kMaxYears = 100;

std::string quoted(const std::string& s) { return "\"" + s + "\""; }

std::string known_codes() {
  std::string out;
  for (std::string_view code : kernel::calendar_codes()) {
    if (!out.empty()) out += ", ";
    out += code;
  }
  return out;
}

// `date` plus `years` calendar years; February 29 becomes March 1 in a non-leap year.
kernel::CivilDate add_years(kernel::CivilDate date, int years) {
  date.year += years;
  if (!date.valid()) date = {date.year, 3, 1};
  return date;
}

}  // namespace

int calendar_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio calendar options");
  options.add_options()("help,h", "show this help")(
      "calendar", po::value<std::string>()->required(),
      "calendar code: XNYS (alias NYSE) or 24/7 (alias ALWAYS)")(
      "from", po::value<std::string>()->required(), "first trading date, YYYY-MM-DD (inclusive)")(
      "to", po::value<std::string>()->required(),
      "last trading date, YYYY-MM-DD (inclusive, under 100 years later)");
  const char* usage =
      "Usage: mercurio calendar --calendar XNYS --from YYYY-MM-DD --to YYYY-MM-DD\n"
      "Prints the calendar's sessions between the two dates as CSV: the header\n"
      "date,open_utc,close_utc, then one line per session. A session trades from open_utc\n"
      "(inclusive) to close_utc (exclusive); days without one (weekends, holidays) have no line.";
  po::variables_map vm;
  try {
    const po::positional_options_description no_positionals;  // so a stray argument is an error
    po::store(po::command_line_parser(args).options(options).positional(no_positionals).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << options;
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mercurio calendar: " << text::printable_lines(e.what()) << "\n\n"
              << usage << "\n\n"
              << options;
    return kExitBadConfig;
  }

  const std::string code = vm["calendar"].as<std::string>();
  const std::string from_text = vm["from"].as<std::string>();
  const std::string to_text = vm["to"].as<std::string>();
  std::unique_ptr<kernel::MarketCalendar> calendar;
  try {
    calendar = kernel::make_calendar(code);
  } catch (const std::exception& e) {
    std::cerr << "mercurio calendar: " << text::printable_lines(e.what()) << "\n";
    return kExitRunFailed;
  }
  std::string error;
  const auto from = kernel::CivilDate::parse(from_text);
  const auto to = kernel::CivilDate::parse(to_text);
  if (!calendar) {
    error = "--calendar expected one of " + known_codes() + ", was " + quoted(code);
  } else if (!from) {
    error = "--from expected YYYY-MM-DD, was " + quoted(from_text);
  } else if (!to) {
    error = "--to expected YYYY-MM-DD, was " + quoted(to_text);
  } else if (*from > *to) {
    error =
        "--to expected a date on or after --from " + from->to_string() + ", was " + to->to_string();
  } else if (*to >= add_years(*from, kMaxYears)) {
    error = "--to expected a date less than " + std::to_string(kMaxYears) +
            " years after --from (before " + add_years(*from, kMaxYears).to_string() + "), was " +
            to->to_string();
  } else if (*from < calendar->first_date() || *to > calendar->last_date()) {
    const bool bad_from = *from < calendar->first_date() || *from > calendar->last_date();
    error = std::string(bad_from ? "--from" : "--to") + " expected a date in the " +
            std::string(calendar->code()) + " calendar's range " +
            calendar->first_date().to_string() + ".." + calendar->last_date().to_string() +
            ", was " + (bad_from ? from : to)->to_string();
  }
  if (!error.empty()) {
    std::cerr << "mercurio calendar: " << text::printable_lines(error) << "\n";
    return kExitBadConfig;
  }

  std::string out = "date,open_utc,close_utc\n";
  for (const kernel::Session& s : calendar->sessions(*from, *to)) {
    out += s.date.to_string();
    out += ',';
    out += s.open.to_iso8601();
    out += ',';
    out += s.close.to_iso8601();
    out += '\n';
  }
  std::cout << out << std::flush;
  return std::cout ? kExitOk : kExitRunFailed;
}

}  // namespace mercurio::app
