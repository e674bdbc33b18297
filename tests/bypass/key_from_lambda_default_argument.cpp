// Bypass.KeyFromLambdaDefaultArgument: let a lambda's defaulted Key parameter (`Key key = {}`) make
// the passkey, then copy it out. Refused: the default argument is copy-list-initialised from `{}`
// through Key's private default constructor (checked where the default is declared). Control: the
// same lambda without the default, called with a Key the caller was given, compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

mercurio::sdk::ApprovedOrder approve([[maybe_unused]] const mercurio::sdk::ApprovedOrder::Key& given,
                                     const mercurio::sdk::ClientOrderId& id, const mercurio::sdk::OrderIntent& intent,
                                     mercurio::sdk::Timestamp now) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::ApprovedOrder::Key key = [](mercurio::sdk::ApprovedOrder::Key k) { return k; }(given);
#else
  mercurio::sdk::ApprovedOrder::Key key = [](mercurio::sdk::ApprovedOrder::Key k = {}) { return k; }();  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return mercurio::sdk::ApprovedOrder(key, id, intent, "rogue", now);
}

}  // namespace bypass
