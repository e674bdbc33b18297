// InlineString's comparisons work on whole words of the zero-padded buffer; they must give exactly
// the order and equality of the plain string views (maps keyed by symbol, sorted outputs).

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
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

// The hash reads whole words: it must still depend on every byte of the text, its length included
// (bytes past the text are zero), and spread sequential ids, the kernel's client order ids, evenly
// over a table's buckets.
TEST(InlineStringTest, HashDependsOnEveryByteAndSpreadsSequentialIds) {
  using namespace std::string_literals;
  const std::hash<InlineString<48>> h;
  EXPECT_EQ(h(InlineString<48>("ma-1")), h(InlineString<48>(std::string("ma-") + "1")));
  EXPECT_NE(h(InlineString<48>("AB")), h(InlineString<48>("AB\0"s))) << "same words, different length";
  const std::string base(48, 'x');
  for (std::size_t i = 0; i < base.size(); ++i) {
    std::string other = base;
    other[i] = 'y';
    EXPECT_NE(h(InlineString<48>(base)), h(InlineString<48>(other))) << "byte " << i;
  }
  constexpr std::size_t kIds = 100'000, kBuckets = 4096;
  std::vector<std::size_t> per_bucket(kBuckets);
  std::vector<std::size_t> hashes;
  for (std::size_t i = 1; i <= kIds; ++i) {
    const std::size_t v = std::hash<InlineString<31>>{}(InlineString<31>("strategy-" + std::to_string(i)));
    hashes.push_back(v);
    ++per_bucket[v % kBuckets];
  }
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(std::adjacent_find(hashes.begin(), hashes.end()), hashes.end()) << "a 64-bit collision among sequential ids";
  // About 24.4 per bucket; a hash that left low bits unmixed would pile ids into a few buckets.
  EXPECT_LT(*std::max_element(per_bucket.begin(), per_bucket.end()), 60u);
  EXPECT_GT(*std::min_element(per_bucket.begin(), per_bucket.end()), 3u);
}
