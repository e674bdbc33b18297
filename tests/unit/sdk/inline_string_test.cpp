// InlineString's comparisons work on whole words of the zero-padded buffer; they must give exactly
// the order and equality of the plain string views (maps keyed by symbol, sorted outputs).

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "mercurio/sdk/inline_string.hpp"

using mercurio::sdk::InlineString;

namespace {

template <std::size_t N>
void expect_same_order_as_views(const std::vector<std::string>& texts) {
  for (const auto& x : texts)
    for (const auto& y : texts) {
      const InlineString<N> a(x), b(y);
      const int c = std::string_view(x).compare(y);
      EXPECT_EQ(a == b, c == 0) << '"' << x << "\" vs \"" << y << '"';
      EXPECT_EQ(a < b, c < 0) << '"' << x << "\" vs \"" << y << '"';
      EXPECT_EQ(a > b, c > 0) << '"' << x << "\" vs \"" << y << '"';
    }
}

}  // namespace

TEST(InlineStringTest, OrdersAndComparesLikeTheStringView) {
  using namespace std::string_literals;
  std::vector<std::string> texts{"", "A", "AB", "ABC", "AB\0"s, "AB\0C"s, "A\xff"s, "A\x7f", "SPY", "SPYG", "BTCUSDT",
                                 "BTCUSDT1", "BTCUSDS", "ABCDEFGH", "ABCDEFGHI", "ABCDEFGG", "ABCDEFGH\0"s, "\0"s, "\0\0"s};
  std::mt19937 rng(7);
  for (int i = 0; i < 60; ++i) {
    std::string s(rng() % 32, 'x');
    for (auto& ch : s) ch = "AB\0\xfe"[rng() % 4];
    texts.push_back(s);
  }
  expect_same_order_as_views<31>(texts);
  expect_same_order_as_views<48>(texts);
  expect_same_order_as_views<63>(texts);
}
