// Bypass.PortfolioNotMutable: take the strategy's portfolio as a mutable PortfolioView&.
// Refused: StrategyContext::portfolio() returns `const PortfolioView&` (and PortfolioView has only
// const, read-only members anyway). Not covered: const_cast, which the language allows. Control: the
// same reference taken as const compiles.
// MERCURIO_BYPASS_EXPECT: discards qualifiers|drops .const. qualifier
#include "mercurio/sdk/strategy.hpp"

namespace bypass {

mercurio::sdk::AccountSnapshot account_of(mercurio::sdk::StrategyContext& ctx) {
#ifdef MERCURIO_BYPASS_CONTROL
  const mercurio::sdk::PortfolioView& portfolio = ctx.portfolio();
#else
  mercurio::sdk::PortfolioView& portfolio = ctx.portfolio();  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return portfolio.account();
}

}  // namespace bypass
