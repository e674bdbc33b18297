#pragma once
// Kernel events: immutable values with a stable type name. Past tense: something happened.

#include <cstddef>
#include <string>
#include <string_view>

#include "mercurio/sdk/types.hpp"

namespace mercurio::kernel {

/// A bar the kernel is processing (strategies subscribe to this).
struct BarProcessed {
  static constexpr std::string_view kTypeName = "mercurio.event.BarProcessed";
  const sdk::Bar* bar;  // valid during dispatch only
};

/// A broker reported something about one of the kernel's orders, and the tracker and the books
/// applied it. Indices, not names: published for every accept and fill, it copies no string.
struct OrderEventReceived {
  static constexpr std::string_view kTypeName = "mercurio.event.OrderEventReceived";
  std::size_t broker_index;
  std::size_t strategy_index;  // the order's owner, from the order tracker
  sdk::OrderEvent event;
};

/// The risk gate approved an order and it was handed to the broker.
struct OrderSubmitted {
  static constexpr std::string_view kTypeName = "mercurio.event.OrderSubmitted";
  sdk::ClientOrderId client_order_id;
  std::string strategy_id;
  std::string broker_id;
  sdk::OrderIntent intent;
  sdk::Timestamp ts;
};

/// The risk gate refused an order. `reason` is a stable code, `message` says expected vs found.
struct OrderDenied {
  static constexpr std::string_view kTypeName = "mercurio.event.OrderDenied";
  std::string strategy_id;
  sdk::OrderIntent intent;
  std::string reason;
  std::string message;
  sdk::Timestamp ts;
};

/// A plugin call threw or the plugin reported it cannot go on.
struct PluginFaulted {
  static constexpr std::string_view kTypeName = "mercurio.event.PluginFaulted";
  std::string plugin_id;
  std::string operation;  // e.g. "on_bar"
  std::string message;
  sdk::Timestamp ts;
};

}  // namespace mercurio::kernel
