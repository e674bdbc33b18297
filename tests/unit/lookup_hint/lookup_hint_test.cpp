// LookupHint: the same answers as std::map::find for every order of lookups, inserts and resets.
#include "mercurio/lookup_hint/lookup_hint.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace mercurio::lookup_hint {
namespace {

using Map = std::map<std::string, int>;

std::string key(int i) { return "S" + std::to_string(1000 + i); }  // sorts like i

// Looks `k` up through the hint and checks it against find().
void expect_found_like_find(LookupHint<Map>& hint, Map& map, const std::string& k) {
  const auto got = hint.find(map, k);
  const auto want = map.find(k);
  ASSERT_EQ(got == map.end(), want == map.end()) << k;
  if (want != map.end()) {
    EXPECT_EQ(got, want) << k;
  }
}

TEST(LookupHintTest, RoundsInKeyOrderAndRepeatsAreFound) {
  Map map;
  for (int i = 0; i < 20; ++i) map[key(i)] = i;
  LookupHint<Map> hint;
  for (int round = 0; round < 3; ++round)
    for (int i = 0; i < 20; ++i) {
      expect_found_like_find(hint, map, key(i));
      expect_found_like_find(hint, map, key(i));  // the same one again
    }
  expect_found_like_find(hint, map, "nope");
  expect_found_like_find(hint, map, key(0));
}

// Random lookups (present and absent), inserts anywhere in the order, and erases followed by
// reset(): every answer is find()'s.
TEST(LookupHintTest, RandomLookupsInsertsAndResetsAnswerLikeFind) {
  std::mt19937 rng(42);
  Map map;
  LookupHint<Map> hint;
  for (int step = 0; step < 20'000; ++step) {
    const int i = static_cast<int>(rng() % 60);
    switch (rng() % 10) {
      case 0:
        map.emplace(key(i), i);  // an insert, before or after the hint
        break;
      case 1:
        if (map.erase(key(i)) > 0) hint.reset();  // the owner's duty after an erase
        break;
      default:
        // Mostly the next key in order, as bars come, sometimes any key.
        expect_found_like_find(hint, map, rng() % 3 == 0 ? key(i) : key((i + 1) % 60));
    }
  }
}

TEST(LookupHintTest, ACopyStartsWithoutAHintIntoTheOtherMap) {
  Map a{{key(1), 1}, {key(2), 2}};
  LookupHint<Map> hint;
  expect_found_like_find(hint, a, key(1));
  Map b = a;
  LookupHint<Map> copy = hint;  // as when the owner of map and hint is copied
  expect_found_like_find(copy, b, key(2));
  EXPECT_EQ(copy.find(b, key(2)), b.find(key(2)));  // an iterator into b, not into a
}

}  // namespace
}  // namespace mercurio::lookup_hint
