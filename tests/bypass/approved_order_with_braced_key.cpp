// Bypass.ApprovedOrderWithBracedKey: pass `{}` where the Key goes and let the compiler make one.
// Refused: `{}` copy-list-initialises the Key parameter through Key's private default constructor.
// Control: the same call with a Key the caller was given compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

mercurio::sdk::ApprovedOrder approve([[maybe_unused]] const mercurio::sdk::ApprovedOrder::Key& given,
                                     const mercurio::sdk::ClientOrderId& id, const mercurio::sdk::OrderIntent& intent,
                                     mercurio::sdk::Timestamp now) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::ApprovedOrder order(given, id, intent, "rogue", now);
#else
  mercurio::sdk::ApprovedOrder order({}, id, intent, "rogue", now);  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return order;
}

}  // namespace bypass
