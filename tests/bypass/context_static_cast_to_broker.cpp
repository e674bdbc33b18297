// Bypass.ContextStaticCastToBroker: `static_cast<Broker&>(ctx)`, hoping the context object is a
// broker underneath. Refused at compile time: static_cast needs the types to be related, and
// StrategyContext does not derive from Broker. (dynamic_cast and reinterpret_cast compile, as the
// language allows; the fixture bypass_attempt shows the dynamic_casts find no Broker at run time.)
// Control: with a Broker& in hand, submitting compiles.
// MERCURIO_BYPASS_EXPECT: invalid .static_cast.|unrelated type
#include "mercurio/sdk/broker.hpp"
#include "mercurio/sdk/strategy.hpp"

namespace bypass {

mercurio::sdk::Status submit_directly([[maybe_unused]] mercurio::sdk::StrategyContext& ctx,
                                      [[maybe_unused]] mercurio::sdk::Broker& given,
                                      const mercurio::sdk::ApprovedOrder& order) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::Broker& broker = given;
#else
  mercurio::sdk::Broker& broker = static_cast<mercurio::sdk::Broker&>(ctx);  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return broker.submit(order);
}

}  // namespace bypass
