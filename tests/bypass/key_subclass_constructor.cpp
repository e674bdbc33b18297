// Bypass.KeySubclassConstructor: derive from Key and call its constructor from the derived class's
// own constructor. Refused: Key's default constructor is private, not protected, so a derived class
// cannot call it either. Control: the derived class initialising its base from a Key it is given
// compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

class MintedKey : public mercurio::sdk::ApprovedOrder::Key {
 public:
#ifdef MERCURIO_BYPASS_CONTROL
  explicit MintedKey([[maybe_unused]] const Key& given) : Key(given) {}
#else
  explicit MintedKey([[maybe_unused]] const Key& given) : Key() {}  // MERCURIO_BYPASS_FORBIDDEN
#endif
};

mercurio::sdk::ApprovedOrder approve(const mercurio::sdk::ApprovedOrder::Key& given, const mercurio::sdk::ClientOrderId& id,
                                     const mercurio::sdk::OrderIntent& intent, mercurio::sdk::Timestamp now) {
  return mercurio::sdk::ApprovedOrder(MintedKey(given), id, intent, "rogue", now);
}

}  // namespace bypass
