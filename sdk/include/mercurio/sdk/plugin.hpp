#pragma once
/// @file plugin.hpp
/// The plugin boundary: one exported C entry symbol per plugin library, returning a plain-C
/// manifest the kernel checks before it touches any C++ object, and the registration macros
/// that generate it.

#include <cstdint>
#include <exception>
#include <string>

#include "mercurio/sdk/broker.hpp"
#include "mercurio/sdk/config.hpp"
#include "mercurio/sdk/notifier.hpp"
#include "mercurio/sdk/strategy.hpp"
#include "mercurio/sdk/version.hpp"

#define MERCURIO_DETAIL_STR2(x) #x
#define MERCURIO_DETAIL_STR(x) MERCURIO_DETAIL_STR2(x)

#if defined(__clang__)
#define MERCURIO_DETAIL_COMPILER "clang-" MERCURIO_DETAIL_STR(__clang_major__)
#elif defined(__GNUC__)
#define MERCURIO_DETAIL_COMPILER "gcc-" MERCURIO_DETAIL_STR(__GNUC__)
#elif defined(_MSC_VER)
#define MERCURIO_DETAIL_COMPILER "msvc-" MERCURIO_DETAIL_STR(_MSC_VER)
#else
#define MERCURIO_DETAIL_COMPILER "unknown"
#endif

#if defined(_LIBCPP_VERSION)
#define MERCURIO_DETAIL_STDLIB "libc++-abi" MERCURIO_DETAIL_STR(_LIBCPP_ABI_VERSION)
#elif defined(__GLIBCXX__)
#define MERCURIO_DETAIL_STDLIB "libstdc++-cxx11abi" MERCURIO_DETAIL_STR(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_MSC_VER)
#define MERCURIO_DETAIL_STDLIB "msvcrt"
#else
#define MERCURIO_DETAIL_STDLIB "unknown"
#endif

/// What C++ objects crossing the boundary depend on: compiler family and major version,
/// standard library and its ABI, SDK ABI major. Kernel and plugin must agree exactly.
#define MERCURIO_BUILD_ID \
  MERCURIO_DETAIL_COMPILER ";" MERCURIO_DETAIL_STDLIB ";sdk-abi-" MERCURIO_DETAIL_STR(MERCURIO_SDK_ABI_MAJOR)

#if defined(_WIN32)
#define MERCURIO_PLUGIN_EXPORT __declspec(dllexport)
#else
#define MERCURIO_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

extern "C" {

/// Plugin kinds as stored in the manifest.
enum MercurioPluginKind : std::uint32_t {
  MERCURIO_PLUGIN_BROKER = 1,
  MERCURIO_PLUGIN_STRATEGY = 2,
  MERCURIO_PLUGIN_NOTIFIER = 3,
};

/// Plain-C description of a plugin library. Fields are only ever appended (ABI minor bump);
/// `struct_size` lets the kernel tell how much of it the plugin filled in.
struct MercurioPluginManifest {
  std::uint32_t struct_size;
  std::uint16_t abi_major;
  std::uint16_t abi_minor;
  std::uint32_t kind;            ///< MercurioPluginKind
  const char* name;              ///< canonical name, e.g. "mercurio.brokers.paper"
  const char* version;           ///< the plugin's own version, e.g. "1.0.0"
  const char* build_id;          ///< MERCURIO_BUILD_ID of the plugin's build
  const char* sdk_version;       ///< MERCURIO_SDK_VERSION the plugin was built with
  const char* description;       ///< one line for `mercurio plugins`
  const void* factory;           ///< mercurio::sdk::PluginFactory<Interface>*; read only after all checks pass
};

/// The entry symbol every plugin exports (declared here so the compiler checks each
/// definition). The ABI major is part of the name: a v2 plugin simply has no v1 symbol.
MERCURIO_PLUGIN_EXPORT const MercurioPluginManifest* mercurio_plugin_v2(void) noexcept;

}  // extern "C"

namespace mercurio::sdk {

/// Creates and destroys one kind of plugin object inside the plugin's own library, so memory is
/// always freed by the allocator that allocated it.
template <class Interface>
class PluginFactory {
 public:
  virtual ~PluginFactory() = default;
  virtual const ConfigSchema& config_schema() const = 0;
  /// A new object configured by `config`, or nullptr with `error` set.
  virtual Interface* create(const ConfigView& config, std::string& error) const noexcept = 0;
  virtual void destroy(Interface* object) const noexcept = 0;
};

namespace plugin_detail {
template <class Interface, class Impl, ConfigSchema (*SchemaFn)()>
class FactoryImpl final : public PluginFactory<Interface> {
 public:
  const ConfigSchema& config_schema() const override {
    static const ConfigSchema schema = SchemaFn();
    return schema;
  }
  Interface* create(const ConfigView& config, std::string& error) const noexcept override {
    try {
      return new Impl(config);
    } catch (const std::exception& e) {
      error = e.what();
    } catch (...) {
      error = "unknown exception";
    }
    return nullptr;
  }
  void destroy(Interface* object) const noexcept override { delete object; }
};
}  // namespace plugin_detail

}  // namespace mercurio::sdk

#define MERCURIO_DETAIL_REGISTER(INTERFACE, KIND, IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN)              \
  extern "C" MERCURIO_PLUGIN_EXPORT const MercurioPluginManifest* mercurio_plugin_v2(void) noexcept {     \
    static const ::mercurio::sdk::plugin_detail::FactoryImpl<INTERFACE, IMPL, SCHEMA_FN> factory;         \
    static const MercurioPluginManifest manifest = {sizeof(MercurioPluginManifest),                       \
                                                    MERCURIO_SDK_ABI_MAJOR,                               \
                                                    MERCURIO_SDK_ABI_MINOR,                               \
                                                    KIND,                                                 \
                                                    NAME,                                                 \
                                                    VERSION,                                              \
                                                    MERCURIO_BUILD_ID,                                    \
                                                    MERCURIO_SDK_VERSION,                                 \
                                                    DESCRIPTION,                                          \
                                                    static_cast<const ::mercurio::sdk::PluginFactory<INTERFACE>*>(&factory)}; \
    return &manifest;                                                                                     \
  }

/// Registers a broker class: `IMPL(const ConfigView&)` constructor, `SCHEMA_FN` returns its ConfigSchema.
#define MERCURIO_REGISTER_BROKER(IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN) \
  MERCURIO_DETAIL_REGISTER(::mercurio::sdk::Broker, MERCURIO_PLUGIN_BROKER, IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN)
/// Registers a strategy class (see MERCURIO_REGISTER_BROKER).
#define MERCURIO_REGISTER_STRATEGY(IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN) \
  MERCURIO_DETAIL_REGISTER(::mercurio::sdk::Strategy, MERCURIO_PLUGIN_STRATEGY, IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN)
/// Registers a notifier class (see MERCURIO_REGISTER_BROKER).
#define MERCURIO_REGISTER_NOTIFIER(IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN) \
  MERCURIO_DETAIL_REGISTER(::mercurio::sdk::Notifier, MERCURIO_PLUGIN_NOTIFIER, IMPL, NAME, VERSION, DESCRIPTION, SCHEMA_FN)
