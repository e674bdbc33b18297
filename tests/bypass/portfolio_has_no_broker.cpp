// Bypass.PortfolioHasNoBroker: reach the broker through the strategy's portfolio view,
// `ctx.portfolio().broker()`. Refused: PortfolioView has no such accessor (positions, account and
// open-order counts only). Control: with a Broker& in hand, submitting compiles.
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
  mercurio::sdk::Broker& broker = ctx.portfolio().broker();  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return broker.submit(order);
}

}  // namespace bypass
