#pragma once
/// @file order_index.hpp
/// Client order id -> position in the paper broker's order log, for every order it ever took.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::paper {

/// The ids themselves stay in the log: the index holds each id's 64-bit hash and its position,
/// and compares the id in the log only at a position whose hash matches. Every submit looks up an
/// id that is new, and a long backtest's index holds tens of thousands of orders, far beyond the
/// caches: with the id in every node (80 bytes) each lookup was several cache misses; these nodes
/// are 24 bytes.
class OrderIndex {
 public:
  /// The position of `id`; `id_at(position)` reads the id the log holds at a position.
  template <class IdAt>
  std::optional<std::size_t> find(const sdk::ClientOrderId& id, const IdAt& id_at) const {
    for (auto [at, end] = by_hash_.equal_range(id.hash()); at != end; ++at)
      if (id_at(at->second) == id) return at->second;
    return std::nullopt;
  }

  /// Records `position` for `id`, an id find() does not know.
  void add(const sdk::ClientOrderId& id, std::size_t position) { by_hash_.emplace(id.hash(), position); }

  std::size_t size() const noexcept { return by_hash_.size(); }

 private:
  // InlineString::hash() is already mixed (every bit reaches the low bits), so it is used as is.
  struct AsIs {
    std::size_t operator()(std::uint64_t h) const noexcept { return static_cast<std::size_t>(h); }
  };
  std::unordered_multimap<std::uint64_t, std::size_t, AsIs> by_hash_;
};

}  // namespace mercurio::brokers::paper
