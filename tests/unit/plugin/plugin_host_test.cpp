// Plugin-host tests against the deliberately broken libraries in tests/fixtures/plugins.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>

#include "config/config_loader.hpp"
#include "plugin/plugin_catalog.hpp"
#include "plugin/plugin_guard.hpp"
#include "plugin/plugin_library.hpp"
#include "support/risk_config.hpp"
#include "support/test_paths.hpp"

using namespace mercurio::kernel;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

std::filesystem::path fixture(const std::string& name) {
  return mercurio::test::fixture_plugin_dir() / ("libfixture_" + name + ".so");
}

std::string open_error(const std::string& name) {
  std::vector<std::string> problems;
  auto lib = PluginLibrary::open(fixture(name), KernelAbi{}, problems);
  EXPECT_EQ(lib, nullptr) << name << " was accepted";
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  return all;
}

ConfigIssues catalog_issues(const std::string& plugins_toml, PluginCatalog* out = nullptr) {
  static Config config;  // catalog entries point into it
  config = parse_config("[kernel]\nplugin_dirs = [\"" + mercurio::test::fixture_plugin_dir().string() + "\"]\n" + plugins_toml +
                            "\n" + mercurio::test::kGenerousRiskTable,
                        mercurio::test::binary_dir() / "plugin_host_test.toml");
  ConfigIssues issues;
  auto catalog = PluginCatalog::load(config, mercurio::test::plugin_dir(), process_environment(), issues);
  if (out) *out = std::move(catalog);
  return issues;
}

// A context that answers nothing: the throwing fixture never reaches it.
class InertContext final : public mercurio::sdk::StrategyContext {
 public:
  std::string_view strategy_id() const override { return "cb"; }
  mercurio::sdk::Status subscribe_bars(const mercurio::sdk::Symbol&) override { return {}; }
  const mercurio::sdk::PortfolioView& portfolio() const override { throw std::logic_error("not used"); }
  mercurio::sdk::Timestamp now() const override { return {}; }
  mercurio::sdk::Logger& logger() override { throw std::logic_error("not used"); }
  mercurio::sdk::Result<mercurio::sdk::ClientOrderId> submit(const mercurio::sdk::OrderIntent&) override {
    return mercurio::sdk::Status(mercurio::sdk::StatusCode::Rejected, "not used");
  }
  mercurio::sdk::Status cancel(const mercurio::sdk::ClientOrderId&) override { return {}; }
};

}  // namespace

TEST(PluginHostTest, LoadsAGoodPluginAndReadsItsManifest) {
  std::vector<std::string> problems;
  auto lib = PluginLibrary::open(fixture("good_strategy"), KernelAbi{}, problems);
  ASSERT_NE(lib, nullptr) << problems.front();
  EXPECT_EQ(lib->manifest().name, "mercurio.test.good_strategy");
  EXPECT_EQ(lib->manifest().kind, PluginKind::Strategy);
  EXPECT_EQ(lib->manifest().build_id, MERCURIO_BUILD_ID);
  EXPECT_EQ(lib->config_schema().fields.at(0).key, "symbol");
}

TEST(PluginHostTest, RefusesADifferentAbiMajor) {
  EXPECT_THAT(open_error("wrong_abi_major"), HasSubstr("built for plugin ABI major 3, this kernel supports 2"));
}

TEST(PluginHostTest, ExplainsAMissingEntrySymbolWhenAnotherMajorIsExported) {
  EXPECT_THAT(open_error("v1_only"),
              HasSubstr("missing entry symbol mercurio_plugin_v2 in " + fixture("v1_only").string() +
                        ": it exports mercurio_plugin_v1 (a different plugin ABI major)"));
}

TEST(PluginHostTest, RefusesANewerMinor) {
  EXPECT_THAT(open_error("newer_minor"), HasSubstr("built for plugin ABI 2.2, newer than this kernel's 2.1"));
}

TEST(PluginHostTest, LoadsAnOlderMinor) {
  std::vector<std::string> problems;
  auto lib = PluginLibrary::open(fixture("older_minor"), KernelAbi{}, problems);
  ASSERT_NE(lib, nullptr) << problems.front();
  EXPECT_EQ(lib->manifest().abi_minor, 0u);
}

TEST(PluginHostTest, RefusesAMismatchedBuildId) {
  EXPECT_THAT(open_error("bad_build_id"),
              HasSubstr("build id \"msvc-1930;msvcrt;sdk-abi-1\" does not match the kernel's \"" MERCURIO_BUILD_ID "\""));
}

TEST(PluginHostTest, RefusesATruncatedManifest) {
  EXPECT_THAT(open_error("small_struct"), HasSubstr("manifest struct_size is"));
}

TEST(PluginHostTest, RefusesALibraryWithoutEntrySymbol) {
  const std::string error = open_error("no_entry");
  EXPECT_THAT(error, HasSubstr("missing entry symbol mercurio_plugin_v2"));
  EXPECT_THAT(error, HasSubstr("not a Mercurio plugin"));
}

TEST(PluginHostTest, RefusesANullManifest) {
  EXPECT_THAT(open_error("null_manifest"), HasSubstr("returned no manifest"));
}

TEST(PluginHostTest, ReportsAFileThatIsNotALibrary) {
  const auto dir = mercurio::test::scratch_dir("not_a_library");
  { std::ofstream(dir / "libjunk.so") << "not an ELF file"; }
  std::vector<std::string> problems;
  EXPECT_EQ(PluginLibrary::open(dir / "libjunk.so", KernelAbi{}, problems), nullptr);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_THAT(problems[0], HasSubstr("cannot load library " + (dir / "libjunk.so").string()));
}

TEST(PluginHostTest, ThrowingConstructorBecomesAnErrorNamingThePlugin) {
  PluginCatalog catalog;
  // Only "no broker configured" is reported: the library itself loads and its config is valid.
  auto issues = catalog_issues("[[plugin]]\nid = \"boom\"\nlibrary = \"fixture_throwing_constructor\"\n", &catalog);
  ASSERT_EQ(issues.size(), 1u) << issues.to_string();
  EXPECT_THAT(issues.to_string(), HasSubstr("no broker plugin is configured"));
  std::string error;
  auto strategy = create_plugin<mercurio::sdk::Strategy>(catalog.entries().at(0), error);
  EXPECT_EQ(strategy, nullptr);
  EXPECT_EQ(error, "plugin[boom] (mercurio.test.throwing_constructor): could not be created: fixture: constructor failed on purpose");
}

TEST(PluginHostTest, ThrowingCallbackIsCaughtByTheGuard) {
  PluginCatalog catalog;
  auto issues = catalog_issues("[[plugin]]\nid = \"cb\"\nlibrary = \"fixture_throwing_callback\"\n", &catalog);
  ASSERT_EQ(issues.size(), 1u) << issues.to_string();
  std::string error;
  auto strategy = create_plugin<mercurio::sdk::Strategy>(catalog.entries().at(0), error);
  ASSERT_NE(strategy, nullptr) << error;
  std::string fault;
  const bool ok = call_guarded([&](std::string_view op, const std::string& msg) { fault = std::string(op) + ": " + msg; },
                               "on_bar", [&] {
                                 InertContext context;
                                 strategy->on_bar(context, mercurio::sdk::Bar{});
                               });
  EXPECT_FALSE(ok);
  EXPECT_EQ(fault, "on_bar: threw: fixture: on_bar failed on purpose");
}

TEST(PluginHostTest, RefusesTwoLibrariesClaimingOneName) {
  const auto dup = catalog_issues(
      "[[plugin]]\nid = \"ma\"\nlibrary = \"mercurio_strategy_moving_average\"\n[plugin.config]\nsymbols = [\"A\"]\n"
      "[[plugin]]\nid = \"impostor\"\nlibrary = \"fixture_duplicate_name\"\n");
  EXPECT_THAT(dup.to_string(), HasSubstr("plugin[impostor].library: duplicate plugin name \"mercurio.strategies.moving_average\""));
}

TEST(PluginHostTest, TheSameLibraryMayServeSeveralIds) {
  const auto issues = catalog_issues(
      "[[plugin]]\nid = \"a\"\nlibrary = \"fixture_good_strategy\"\n"
      "[[plugin]]\nid = \"b\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\nsymbol = \"B\"\n");
  EXPECT_THAT(issues.to_string(), Not(HasSubstr("duplicate")));
}

TEST(PluginHostTest, ReportsEveryBrokenLibraryAndWhereItWasListed) {
  const auto issues = catalog_issues(
      "[[plugin]]\nid = \"a\"\nlibrary = \"fixture_wrong_abi_major\"\n"
      "[[plugin]]\nid = \"b\"\nlibrary = \"fixture_bad_build_id\"\n"
      "[[plugin]]\nid = \"c\"\nlibrary = \"no_such_plugin\"\n"
      "[[plugin]]\nid = \"d\"\nlibrary = \"fixture_good_strategy\"\n[plugin.config]\nsymbol = 5\n");
  const std::string all = issues.to_string();
  EXPECT_THAT(all, HasSubstr("plugin_host_test.toml:3: plugin[a].library: libfixture_wrong_abi_major.so: built for plugin ABI major 3"));
  EXPECT_THAT(all, HasSubstr("plugin_host_test.toml:6: plugin[b].library: libfixture_bad_build_id.so: build id"));
  EXPECT_THAT(all, HasSubstr("plugin[c].library: plugin library \"no_such_plugin\" not found; looked for:"));
  EXPECT_THAT(all, HasSubstr("libno_such_plugin.so"));
  EXPECT_THAT(all, HasSubstr("plugin[d].config.symbol: expected a string, was an integer 5"));
}

TEST(PluginHostTest, KindSpecificKeysAreChecked) {
  const auto issues = catalog_issues(
      "[[plugin]]\nid = \"s\"\nlibrary = \"fixture_good_strategy\"\nbroker = "
      "\"nope\"\nmin_severity = \"error\"\n"
      "[plugin.risk]\ncalendar = \"24/7\"\n");
  EXPECT_THAT(issues.to_string(), HasSubstr("plugin[s].broker: no broker plugin with id \"nope\""));
  EXPECT_THAT(issues.to_string(), HasSubstr("plugin[s].min_severity: only notifiers take min_severity; this plugin is a strategy"));
  // A strategy naming "24/7" would trade past its venue's closed market.
  EXPECT_THAT(issues.to_string(), HasSubstr("plugin[s].risk.calendar: only a broker names its "
                                            "market calendar; this plugin is a strategy"));
}
