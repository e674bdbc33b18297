// Bypass.ContextIsNotABroker: treat the StrategyContext itself as the Broker (`Broker& b = ctx;`).
// Refused: StrategyContext and Broker are unrelated types, no implicit conversion exists. Control:
// with a Broker& in hand, submitting compiles.
// MERCURIO_BYPASS_EXPECT: invalid initialization of reference|unrelated type
#include "mercurio/sdk/broker.hpp"
#include "mercurio/sdk/strategy.hpp"

namespace bypass {

mercurio::sdk::Status submit_directly([[maybe_unused]] mercurio::sdk::StrategyContext& ctx,
                                      [[maybe_unused]] mercurio::sdk::Broker& given,
                                      const mercurio::sdk::ApprovedOrder& order) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::Broker& broker = given;
#else
  mercurio::sdk::Broker& broker = ctx;  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return broker.submit(order);
}

}  // namespace bypass
