#pragma once
// A fixed-size array of trivially copyable elements for the backtest's bar store, backed by pages
// the kernel may serve as transparent huge pages.
//
// Why: a backtest holds every bar of every symbol (tens of MB to GB). Filled through 4 KiB pages,
// each page costs a page fault (about 10 us on a virtual machine: a quarter of a 1,000,000-bar
// backtest's wall time went to faults) and each replayed page a TLB entry. On Linux the array is
// its own mapping, 2 MiB aligned and advised MADV_HUGEPAGE, so the whole 2 MiB blocks of it come
// as huge pages when the system allows (transparent_hugepage "always" or "madvise"); the partial
// block at its end stays in small pages, so resident memory is what the elements use, not rounded
// up. Elsewhere, or when the mapping fails, it is plain heap memory: same behaviour, more faults.

#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace mercurio::kernel {

class HugePageBlock {
 public:
  HugePageBlock() = default;
  /// `bytes` of zeroed memory (std::bad_alloc when there is none).
  explicit HugePageBlock(std::size_t bytes);
  HugePageBlock(HugePageBlock&& other) noexcept;
  HugePageBlock& operator=(HugePageBlock&& other) noexcept;
  HugePageBlock(const HugePageBlock&) = delete;
  HugePageBlock& operator=(const HugePageBlock&) = delete;
  ~HugePageBlock();

  void* data() const noexcept { return data_; }

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t mapped_ = 0;         // bytes mapped (0: heap memory or nothing)
  std::unique_ptr<std::byte[]> heap_;  // the fallback
};

template <class T>
class HugePageArray {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

 public:
  HugePageArray() = default;
  explicit HugePageArray(std::size_t n) : block_(n * sizeof(T)), size_(n) {}
  HugePageArray(HugePageArray&& other) noexcept : block_(std::move(other.block_)), size_(std::exchange(other.size_, 0)) {}
  HugePageArray& operator=(HugePageArray&& other) noexcept {
    block_ = std::move(other.block_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  std::size_t size() const noexcept { return size_; }
  T* data() noexcept { return static_cast<T*>(block_.data()); }
  const T* data() const noexcept { return static_cast<const T*>(block_.data()); }
  T& operator[](std::size_t i) noexcept { return data()[i]; }
  const T& operator[](std::size_t i) const noexcept { return data()[i]; }

 private:
  HugePageBlock block_;
  std::size_t size_ = 0;
};

}  // namespace mercurio::kernel
