#include "engine/bar_check.hpp"

namespace mercurio::kernel {

std::string bar_price_problem(const sdk::Bar& b) {
  if (!b.low.is_positive()) return "a low of " + b.low.to_string() + " (prices are positive)";
  if (b.high < b.low)
    return "a high of " + b.high.to_string() + " below its low " + b.low.to_string();
  for (const auto& [what, price] :
       {std::pair<const char*, const sdk::Decimal&>{"an open", b.open},
        std::pair<const char*, const sdk::Decimal&>{"a close", b.close}})
    if (price < b.low || price > b.high)
      return std::string(what) + " of " + price.to_string() + " outside its range " +
             b.low.to_string() + " - " + b.high.to_string();
  if (b.volume.is_negative()) return "a volume of " + b.volume.to_string();
  return {};
}

}  // namespace mercurio::kernel
