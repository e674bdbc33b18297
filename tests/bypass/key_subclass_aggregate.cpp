// Bypass.KeySubclassAggregate: derive an empty aggregate from Key (`struct MintedKey : Key {}`) and
// brace-initialise it, hoping aggregate initialisation of the base skips the access check, then
// slice it to a Key. Refused: the base is initialised from `{}` through Key's private default
// constructor, checked where `MintedKey{}` is written. Control: initialising the base from a Key the
// caller was given (`MintedKey{given}`) compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

struct MintedKey : mercurio::sdk::ApprovedOrder::Key {};

mercurio::sdk::ApprovedOrder approve([[maybe_unused]] const mercurio::sdk::ApprovedOrder::Key& given,
                                     const mercurio::sdk::ClientOrderId& id, const mercurio::sdk::OrderIntent& intent,
                                     mercurio::sdk::Timestamp now) {
#ifdef MERCURIO_BYPASS_CONTROL
  const MintedKey key{given};
#else
  const MintedKey key{};  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return mercurio::sdk::ApprovedOrder(key, id, intent, "rogue", now);
}

}  // namespace bypass
