#pragma once
/// @file order_index.hpp
/// Client order id -> position in the paper broker's order log, for every order it ever took.

#include <cstddef>
#include <iterator>
#include <map>
#include <optional>

#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::paper {

/// Every submit looks up an id that is new, and a long backtest's index holds tens of thousands of
/// orders, far beyond the caches: in a hash table each such lookup was several dependent cache
/// misses (bucket, then node after node). Clients usually number their orders upwards (the
/// kernel's ids are "<strategy>-<n>"), and in shortlex order (shorter first, then byte by byte)
/// such an id sorts after every earlier one of its client: one comparison with the largest id
/// shows the new id of the client whose ids sort last to be new, and it is added at the end
/// without a search. Other clients' ids (and ids in any order) are searched in the tree; their
/// paths are the ones their previous orders used, but only the single-client case is measured.
/// A node is about 100 bytes (the id is kept in it), a few MB for tens of thousands of orders.
class OrderIndex {
 public:
  /// The position of `id` in the log.
  std::optional<std::size_t> find(const sdk::ClientOrderId& id) const {
    if (after_last(id)) return std::nullopt;
    const auto at = positions_.find(id);
    if (at == positions_.end()) return std::nullopt;
    return at->second;
  }

  /// Records `position` for `id`; false (and nothing recorded) when `id` is already there.
  bool add(const sdk::ClientOrderId& id, std::size_t position) {
    if (after_last(id)) {
      positions_.emplace_hint(positions_.end(), id, position);  // after every other: no search
      return true;
    }
    return positions_.emplace(id, position).second;
  }

  std::size_t size() const noexcept { return positions_.size(); }

 private:
  struct ShortlexLess {
    bool operator()(const sdk::ClientOrderId& a, const sdk::ClientOrderId& b) const noexcept {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    }
  };
  /// Strictly after every id held (so not one of them).
  bool after_last(const sdk::ClientOrderId& id) const {
    return positions_.empty() || ShortlexLess{}(std::prev(positions_.end())->first, id);
  }

  std::map<sdk::ClientOrderId, std::size_t, ShortlexLess> positions_;
};

}  // namespace mercurio::brokers::paper
