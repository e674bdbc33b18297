#pragma once
/// @file order_index.hpp
/// Client order id -> position in the paper broker's order log, for every order it ever took.

#include <algorithm>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "mercurio/sdk/types.hpp"

namespace mercurio::brokers::paper {

/// Every submit looks up an id that is new, and a long backtest's index holds tens of thousands of
/// orders, far beyond the caches. Clients usually number their orders upwards (the kernel's ids are
/// "<strategy>-<n>"), and in shortlex order (shorter first, then byte by byte) such an id sorts
/// after every earlier one of its client. So an id after every other one (one comparison with the
/// largest shows it) is appended to a sorted array: no search, no node to allocate, and no tree to
/// walk when the index is destroyed (freeing a tree of 38,765 nodes was most of a backtest's exit).
/// Every other id (another client's, or ids in any order) goes to a tree. The largest id
/// is always the array's last: an id goes to the tree only when a larger one is already held.
class OrderIndex {
 public:
  /// The position of `id` in the log.
  std::optional<std::size_t> find(const sdk::ClientOrderId& id) const {
    if (after_last(id)) return std::nullopt;
    if (const Entry* e = in_order_entry(id)) return e->position;
    const auto other = others_.find(id);
    if (other == others_.end()) return std::nullopt;
    return other->second;
  }

  /// Records `position` for `id`; false (and nothing recorded) when `id` is already there.
  bool add(const sdk::ClientOrderId& id, std::size_t position) {
    if (after_last(id)) {
      in_order_.push_back({id, position});
      return true;
    }
    if (in_order_entry(id)) return false;
    return others_.emplace(id, position).second;
  }

  std::size_t size() const noexcept { return in_order_.size() + others_.size(); }

 private:
  struct ShortlexLess {
    bool operator()(const sdk::ClientOrderId& a, const sdk::ClientOrderId& b) const noexcept {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    }
  };
  struct Entry {
    sdk::ClientOrderId id;
    std::size_t position;
  };
  /// The array's entry for `id`, or nullptr (binary search).
  const Entry* in_order_entry(const sdk::ClientOrderId& id) const {
    const auto at = std::lower_bound(
        in_order_.begin(), in_order_.end(), id,
        [](const Entry& e, const sdk::ClientOrderId& key) { return ShortlexLess{}(e.id, key); });
    return at != in_order_.end() && at->id == id ? &*at : nullptr;
  }
  /// Strictly after every id held (so not one of them).
  bool after_last(const sdk::ClientOrderId& id) const {
    return in_order_.empty() || ShortlexLess{}(in_order_.back().id, id);
  }

  std::vector<Entry> in_order_;  // ascending (shortlex): each was the largest when it came
  std::map<sdk::ClientOrderId, std::size_t, ShortlexLess> others_;
};

}  // namespace mercurio::brokers::paper
