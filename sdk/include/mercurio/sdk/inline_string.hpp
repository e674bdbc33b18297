#pragma once
/// @file inline_string.hpp
/// Fixed-capacity string stored inline, so bars and order events stay trivially copyable
/// and never allocate on the hot path.

#include <bit>
#include <compare>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace mercurio::sdk {

/// A string of at most `Capacity` bytes kept inline. Construction from a longer string throws
/// std::length_error naming the value: identifiers are never silently truncated.
template <std::size_t Capacity>
class InlineString {
  static_assert(Capacity < 256, "length is kept in one byte");

 public:
  static constexpr std::size_t kCapacity = Capacity;

  constexpr InlineString() noexcept = default;
  InlineString(std::string_view text) {  // NOLINT(google-explicit-constructor): ids read naturally as strings
    if (text.size() > Capacity)
      throw std::length_error("identifier longer than " + std::to_string(Capacity) + " characters: \"" +
                              std::string(text.substr(0, 64)) + "\"");
    std::memcpy(data_, text.data(), text.size());
    size_ = static_cast<unsigned char>(text.size());
  }
  InlineString(const char* text) : InlineString(std::string_view(text)) {}  // NOLINT
  InlineString(const std::string& text) : InlineString(std::string_view(text)) {}  // NOLINT

  /// True when `text` fits; use before constructing from untrusted input to avoid the throw.
  static constexpr bool fits(std::string_view text) noexcept { return text.size() <= Capacity; }

  std::string_view view() const noexcept { return {data_, size_}; }
  std::string str() const { return std::string(view()); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT
  bool empty() const noexcept { return size_ == 0; }
  std::size_t size() const noexcept { return size_; }

  // Symbols and ids are compared on every bar (map and hash lookups), so these work on whole
  // words instead of calling memcmp. Bytes past size() are always zero (data_ is zero-initialized
  // and only ever written whole), so comparing the padded arrays byte-wise and then the sizes
  // gives exactly the lexicographic order of view().compare().
  friend bool operator==(const InlineString& a, const InlineString& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t w = 0; w * 8 < a.size_; ++w)
      if (a.word(w) != b.word(w)) return false;
    return true;
  }
  /// A hash of the text (the words it spans, mixed): ids and symbols are hash keys on the order
  /// path, and they are short, so this reads one or two words instead of hashing byte by byte.
  std::size_t hash() const noexcept {
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ size_;
    for (std::size_t w = 0; w * 8 < size_; ++w) {
      h = (h ^ word(w)) * 0xBF58476D1CE4E5B9ull;
      h ^= h >> 31;
    }
    // Final avalanche (MurmurHash3's fmix64): every input bit reaches the low bits the table uses.
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ull;
    h ^= h >> 33;
    return static_cast<std::size_t>(h);
  }
  friend std::strong_ordering operator<=>(const InlineString& a, const InlineString& b) noexcept {
    // Only the words the longer text spans: past them both are zero. Each word is read big-end
    // first, so comparing words as numbers compares their bytes in order.
    const std::size_t spanned = a.size_ > b.size_ ? a.size_ : b.size_;
    for (std::size_t w = 0; w * 8 < spanned; ++w) {
      std::uint64_t x = a.word(w), y = b.word(w);
      if (x != y) {
        if constexpr (std::endian::native == std::endian::little) {
          x = __builtin_bswap64(x);
          y = __builtin_bswap64(y);
        }
        return x < y ? std::strong_ordering::less : std::strong_ordering::greater;
      }
    }
    return a.size_ <=> b.size_;
  }

 private:
  // Bytes [8w, 8w + 8) of the text as one word; the bytes past size() are zero.
  std::uint64_t word(std::size_t w) const noexcept {
    std::uint64_t x = 0;
    if (w * 8 + 8 <= Capacity) std::memcpy(&x, data_ + w * 8, 8);
    else std::memcpy(&x, data_ + w * 8, Capacity % 8);  // the last, partial word
    return x;
  }

  char data_[Capacity] = {};
  unsigned char size_ = 0;
};

/// Hasher for large hash tables keyed by ids (every order a venue or the kernel ever saw): the same
/// hash as std::hash, deliberately not noexcept, so libstdc++ stores each key's hash in its node and
/// a lookup compares stored hashes along a bucket chain instead of rehashing (and reading) every key.
template <std::size_t N>
struct StoredHash {
  std::size_t operator()(const InlineString<N>& s) const { return s.hash(); }
};

}  // namespace mercurio::sdk

template <std::size_t N>
struct std::hash<mercurio::sdk::InlineString<N>> {
  std::size_t operator()(const mercurio::sdk::InlineString<N>& s) const noexcept {
    return s.hash();
  }
};
