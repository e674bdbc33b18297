#pragma once
// A remembered position in an ordered map, for lookups that usually come in key order.
//
// A backtest delivers the bars of one timestamp symbol after symbol in sorted order (the kernel's
// replay merges series in (time, sorted symbol) order), and a live feed repeats the same symbols
// round after round. Per-symbol state kept in a std::map is then looked up, bar after bar, at the
// entry after the previous one (wrapping at the end) or at the same one. LookupHint checks those
// two first, with one key comparison each, and falls back to map.find() otherwise: same answers as
// find(), without the walk down the tree on every bar.
//
// Safety: the hint is an iterator into one map. Copying or moving the object that owns the map and
// the hint leaves the copy's hint empty (it would point into the other map); the owner must call
// reset() if it ever erases entries or assigns the map. Inserting keeps std::map iterators valid.

#include <compare>
#include <iterator>

namespace mercurio::lookup_hint {

template <class Map>
class LookupHint {
 public:
  LookupHint() = default;
  LookupHint(const LookupHint&) noexcept {}
  LookupHint& operator=(const LookupHint&) noexcept {
    valid_ = false;
    return *this;
  }
  ~LookupHint() = default;

  /// map.find(key), usually without searching.
  template <class Key>
  typename Map::iterator find(Map& map, const Key& key) {
    if (valid_) {
      // The next entry first (a round of symbols), then the same one (one symbol bar after bar).
      // Three-way comparison: for sdk::InlineString it is inline word compares, == calls memcmp.
      auto next = std::next(hint_);
      if (next == map.end()) next = map.begin();
      if ((next->first <=> key) == 0) return hint_ = next;
      if ((hint_->first <=> key) == 0) return hint_;
    }
    auto it = map.find(key);
    if (it != map.end()) {
      hint_ = it;
      valid_ = true;
    }
    return it;
  }
  /// Forget the position (after erasing from, or assigning, the map).
  void reset() noexcept { valid_ = false; }

 private:
  typename Map::iterator hint_{};
  bool valid_ = false;
};

}  // namespace mercurio::lookup_hint
