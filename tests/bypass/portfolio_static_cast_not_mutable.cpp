// Bypass.PortfolioStaticCastNotMutable: `static_cast<PortfolioView&>(ctx.portfolio())` to get a
// mutable portfolio. Refused: static_cast cannot cast away const. Not covered: const_cast, which the
// language allows (and which still gives only PortfolioView's read-only members). Control: the same
// cast to `const PortfolioView&` compiles.
// MERCURIO_BYPASS_EXPECT: invalid .static_cast.|drops .const. qualifier
#include "mercurio/sdk/strategy.hpp"

namespace bypass {

mercurio::sdk::AccountSnapshot account_of(mercurio::sdk::StrategyContext& ctx) {
#ifdef MERCURIO_BYPASS_CONTROL
  auto& portfolio = static_cast<const mercurio::sdk::PortfolioView&>(ctx.portfolio());
#else
  auto& portfolio = static_cast<mercurio::sdk::PortfolioView&>(ctx.portfolio());  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return portfolio.account();
}

}  // namespace bypass
