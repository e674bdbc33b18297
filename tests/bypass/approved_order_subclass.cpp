// Bypass.ApprovedOrderSubclass: subclass ApprovedOrder, hoping a derived class may call what the
// base keeps private, and mint the Key in the derived constructor. Refused: the private member is
// Key's default constructor, and deriving from ApprovedOrder makes nobody a friend of Key. (Broker
// ::submit takes `const ApprovedOrder&`, so a subclass would be accepted if it could be built.)
// Control: the derived class passing on a Key it is given compiles.
// MERCURIO_BYPASS_EXPECT: private
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

class RogueOrder : public mercurio::sdk::ApprovedOrder {
 public:
  RogueOrder([[maybe_unused]] const Key& given, const mercurio::sdk::ClientOrderId& id,
             const mercurio::sdk::OrderIntent& intent, mercurio::sdk::Timestamp now)
#ifdef MERCURIO_BYPASS_CONTROL
      : ApprovedOrder(given, id, intent, "rogue", now) {}
#else
      : ApprovedOrder(Key{}, id, intent, "rogue", now) {}  // MERCURIO_BYPASS_FORBIDDEN
#endif
};

}  // namespace bypass
