// Bypass.ApprovedOrderDefaultConstructed: default-construct an ApprovedOrder and hope a broker takes
// it. Refused: ApprovedOrder has no default constructor. Control: copying an ApprovedOrder the caller
// was given (what a broker may do) compiles.
// MERCURIO_BYPASS_EXPECT: no matching
#include "mercurio/sdk/approved_order.hpp"

namespace bypass {

mercurio::sdk::ApprovedOrder approve([[maybe_unused]] const mercurio::sdk::ApprovedOrder& given) {
#ifdef MERCURIO_BYPASS_CONTROL
  mercurio::sdk::ApprovedOrder order(given);
#else
  mercurio::sdk::ApprovedOrder order;  // MERCURIO_BYPASS_FORBIDDEN
#endif
  return order;
}

}  // namespace bypass
