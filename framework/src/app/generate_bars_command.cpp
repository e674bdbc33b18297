#include <filesystem>
#include <fstream>
#include <iostream>

#include <boost/program_options.hpp>

#include "app/commands.hpp"
#include "data/synthetic_bars.hpp"
#include "mercurio/text/single_line.hpp"

namespace po = boost::program_options;

namespace mercurio::app {

int generate_bars_command(const std::vector<std::string>& args) {
  po::options_description options("mercurio generate-bars options");
  options.add_options()("help,h", "show this help")(
      "out,o", po::value<std::string>()->required(), "CSV file to write (its directory is created)")(
      "symbol", po::value<std::string>()->default_value("SYNTH"), "symbol written in no column, used for messages")(
      "bars", po::value<std::uint64_t>()->default_value(2520), "number of bars")(
      "start", po::value<std::string>()->default_value("2015-01-02"), "first date (UTC); weekends are skipped")(
      "interval", po::value<std::string>()->default_value("1d"), "1d, or N minutes such as 1m, 5m (390-minute session from 13:30Z)")(
      "price", po::value<std::string>()->default_value("100"), "close before the first bar")(
      "drift", po::value<double>()->default_value(0.05), "annual drift of log prices")(
      "volatility", po::value<double>()->default_value(0.20), "annual volatility of log prices")(
      "seed", po::value<std::uint64_t>()->default_value(1), "random seed: same seed, same file");
  const char* usage =
      "Usage: mercurio generate-bars --out FILE [--bars N] [--seed S] [--start DATE] [--interval 1d|Nm] ...\n"
      "Writes deterministic synthetic OHLCV bars (a geometric random walk) as timestamp,open,high,low,close,volume.";
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(options).positional({}).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << options;
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "mercurio generate-bars: " << text::printable_lines(e.what()) << "\n\n"
              << usage << "\n\n"
              << options;
    return kExitBadConfig;
  }

  kernel::SyntheticBarParams params;
  try {
    params.symbol = sdk::Symbol(vm["symbol"].as<std::string>());
    auto start = sdk::Timestamp::parse_iso8601(vm["start"].as<std::string>());
    if (!start) throw std::invalid_argument("--start expected a date like 2015-01-02, was \"" + vm["start"].as<std::string>() + "\"");
    params.start_date = *start;
    auto interval = kernel::BarInterval::parse(vm["interval"].as<std::string>());
    if (!interval) throw std::invalid_argument("--interval expected 1d or a minute count dividing 390 (1m, 5m, ...), was \"" + vm["interval"].as<std::string>() + "\"");
    params.interval = *interval;
    params.bar_count = vm["bars"].as<std::uint64_t>();
    params.start_price = sdk::Decimal::from_string(vm["price"].as<std::string>());
    params.annual_drift = vm["drift"].as<double>();
    params.annual_volatility = vm["volatility"].as<double>();
    params.seed = vm["seed"].as<std::uint64_t>();
    kernel::validate(params);
  } catch (const std::exception& e) {
    std::cerr << "mercurio generate-bars: " << text::printable_lines(e.what()) << "\n";
    return kExitBadConfig;
  }

  const std::filesystem::path out_path = vm["out"].as<std::string>();
  std::error_code ec;
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path(), ec);
  // Write to a temporary file and rename, so a reader never sees half a file.
  const std::filesystem::path tmp = out_path.string() + ".tmp";
  std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
  if (!out) {
    std::cerr << "mercurio generate-bars: cannot write " << tmp.string() << "\n";
    return kExitRunFailed;
  }
  const auto rows = kernel::write_synthetic_csv(params, out);
  out.close();
  if (!out) {
    std::cerr << "mercurio generate-bars: writing " << tmp.string() << " failed\n";
    return kExitRunFailed;
  }
  std::filesystem::rename(tmp, out_path, ec);
  if (ec) {
    std::cerr << "mercurio generate-bars: cannot rename to " << out_path.string() << ": " << ec.message() << "\n";
    return kExitRunFailed;
  }
  std::cout << "wrote " << rows << " bars of " << params.symbol.str() << " to " << out_path.string() << "\n";
  return kExitOk;
}

}  // namespace mercurio::app
