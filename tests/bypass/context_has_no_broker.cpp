// Bypass.ContextHasNoBroker: a strategy, given only its StrategyContext, asks it for the broker to
// call Broker::submit itself. Refused: StrategyContext has no such accessor (nothing in it returns a
// Broker, a BrokerSink, the bus or another plugin). Control: with a Broker& in hand, submitting
// compiles, so the missing accessor is the only thing in the way.
// MERCURIO_BYPASS_EXPECT: no member named .broker.
#include "mercurio/sdk/broker.hpp"
#include "mercurio/sdk/strategy.hpp"

namespace bypass {

mercurio::sdk::Status submit_directly([[maybe_unused]] mercurio::sdk::StrategyContext& ctx,
                                      [[maybe_unused]] mercurio::sdk::Broker& given,
                                      const mercurio::sdk::ApprovedOrder& order) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::Broker& broker = given;
#else
  mercurio::sdk::Broker& broker = ctx.broker();  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return broker.submit(order);
}

}  // namespace bypass
