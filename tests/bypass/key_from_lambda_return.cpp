// Bypass.KeyFromLambdaReturn: conjure a Key "out of nowhere" as a lambda's `return {};`. Refused: the
// return value is copy-list-initialised from `{}` through Key's private default constructor; a
// lambda is not a friend of Key. Control: a lambda that returns (copies) a Key it captured compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

mercurio::sdk::ApprovedOrder approve([[maybe_unused]] const mercurio::sdk::ApprovedOrder::Key& given,
                                     const mercurio::sdk::ClientOrderId& id, const mercurio::sdk::OrderIntent& intent,
                                     mercurio::sdk::Timestamp now) {
#ifdef MERCURIO_BYPASS_CONTROL
  const auto make_key = [&given]() -> mercurio::sdk::ApprovedOrder::Key { return given; };
#else
  const auto make_key = []() -> mercurio::sdk::ApprovedOrder::Key { return {}; };  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return mercurio::sdk::ApprovedOrder(make_key(), id, intent, "rogue", now);
}

}  // namespace bypass
