#include "engine/huge_page_array.hpp"

#include <cstdint>
#include <new>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace mercurio::kernel {

namespace {
constexpr std::size_t kHugePage = std::size_t{2} << 20;
}

HugePageBlock::HugePageBlock(std::size_t bytes) {
  if (bytes == 0) return;
#if defined(__linux__)
  // Worth it only for a block with at least one whole huge page in it.
  if (bytes >= kHugePage) {
    // Map one huge page more than needed, keep the 2 MiB-aligned part, give back the rest.
    const std::size_t page = 4096;
    const std::size_t wanted = (bytes + page - 1) / page * page;
    const std::size_t length = wanted + kHugePage;
    void* raw = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw != MAP_FAILED) {
      const auto start = reinterpret_cast<std::uintptr_t>(raw);
      const std::uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
      if (aligned > start) ::munmap(raw, aligned - start);
      const std::size_t tail = (start + length) - (aligned + wanted);
      if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + wanted), tail);
      data_ = reinterpret_cast<void*>(aligned);
      mapped_ = wanted;
      ::madvise(data_, wanted, MADV_HUGEPAGE);  // advice only: refused, the block still works
      return;
    }
  }
#endif
  heap_ = std::make_unique<std::byte[]>(bytes);  // zeroed, like a fresh mapping
  data_ = heap_.get();
}

HugePageBlock::HugePageBlock(HugePageBlock&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), mapped_(std::exchange(other.mapped_, 0)), heap_(std::move(other.heap_)) {}

HugePageBlock& HugePageBlock::operator=(HugePageBlock&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    mapped_ = std::exchange(other.mapped_, 0);
    heap_ = std::move(other.heap_);
  }
  return *this;
}

HugePageBlock::~HugePageBlock() { release(); }

void HugePageBlock::release() noexcept {
#if defined(__linux__)
  if (mapped_ > 0) ::munmap(data_, mapped_);
#endif
  heap_.reset();
  data_ = nullptr;
  mapped_ = 0;
}

}  // namespace mercurio::kernel
