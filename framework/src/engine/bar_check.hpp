#pragma once
// What no true bar looks like. A live bar is the kernel's only source of prices: one bad print
// (a zero, a parse slip) would mark positions at it, and the breakers could flatten on it.

#include <string>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// Empty when the bar's prices can be true: positive, low <= open, close <= high, a volume not
/// negative. Otherwise what is wrong, naming the values.
std::string bar_price_problem(const sdk::Bar& bar);

}  // namespace mercurio::kernel
