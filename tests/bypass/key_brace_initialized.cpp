// Bypass.KeyBraceInitialized: mint the passkey with `Key{}`. Refused: since C++20 a class with a
// user-declared constructor is not an aggregate, so `{}` calls Key's private default constructor
// (under C++17 this would have been aggregate initialisation and compiled).
// Control: copying a Key the caller was given, then building the order with it, compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

mercurio::sdk::ApprovedOrder approve([[maybe_unused]] const mercurio::sdk::ApprovedOrder::Key& given,
                                     const mercurio::sdk::ClientOrderId& id, const mercurio::sdk::OrderIntent& intent,
                                     mercurio::sdk::Timestamp now) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::ApprovedOrder::Key key = given;
#else
  mercurio::sdk::ApprovedOrder::Key key = mercurio::sdk::ApprovedOrder::Key{};  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return mercurio::sdk::ApprovedOrder(key, id, intent, "rogue", now);
}

}  // namespace bypass
