#pragma once
/// @file approved_order.hpp
/// The only order type a broker accepts. Only the kernel's RiskGate can make one.

#include <string>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {
class RiskGate;
}

namespace mercurio::sdk {

/// An order intent that passed the kernel's risk gate, with the client order id the kernel
/// assigned. Its constructor needs an ApprovedOrder::Key, which only
/// `mercurio::kernel::RiskGate` can create: strategies cannot reach a broker with an order
/// the gate has not seen. (Plugins are trusted in-process code: this stops mistakes, not malice.)
class ApprovedOrder {
 public:
  /// Passkey: its constructor is private and only the RiskGate is its friend.
  class Key {
    friend class ::mercurio::kernel::RiskGate;
    Key() = default;
  };

  /// Copies each field once. Only the RiskGate can call it (it alone can make a Key).
  ApprovedOrder(Key, const ClientOrderId& id, const OrderIntent& intent, const std::string& strategy_id,
                Timestamp approved_at)
      : id_(id), intent_(intent), strategy_id_(strategy_id), approved_at_(approved_at) {}

  const ClientOrderId& client_order_id() const noexcept { return id_; }
  const OrderIntent& intent() const noexcept { return intent_; }
  const std::string& strategy_id() const noexcept { return strategy_id_; }
  Timestamp approved_at() const noexcept { return approved_at_; }

 private:
  ClientOrderId id_;
  OrderIntent intent_;
  std::string strategy_id_;
  Timestamp approved_at_;
};

}  // namespace mercurio::sdk
