#pragma once
// Test-only stand-in for the kernel's risk gate. ApprovedOrder's constructor needs an
// ApprovedOrder::Key, which only mercurio::kernel::RiskGate may create. The broker tests are not
// linked with the kernel, so this class takes its name to mint approved orders directly.
// It must never be compiled into anything but broker plugins' tests and benchmarks, which are
// never installed (mercurio_broker_testing).

#include <string>
#include <utility>

#include "mercurio/sdk/approved_order.hpp"

namespace mercurio::kernel {

class RiskGate {
 public:
  static sdk::ApprovedOrder approve(sdk::ClientOrderId id, sdk::OrderIntent intent,
                                    sdk::Timestamp approved_at = {}) {
    return sdk::ApprovedOrder({}, id, std::move(intent), "test-strategy", approved_at);
  }
};

}  // namespace mercurio::kernel
