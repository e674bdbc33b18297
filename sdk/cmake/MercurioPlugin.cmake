# mercurio_add_plugin(<target> SOURCES <files...> [LINK <libs...>])
#
# Builds a Mercurio plugin as a loadable module (lib<target>.so / <target>.dll) the same way for
# every plugin: C++20, hidden symbols (only the entry symbol is exported), linked to the SDK only.
# Set MERCURIO_PLUGIN_OUTPUT_DIRECTORY to choose where the module is written.
function(mercurio_add_plugin target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "mercurio_add_plugin(${target}): SOURCES is required")
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE mercurio::sdk ${ARG_LINK})
  target_compile_features(${target} PRIVATE cxx_std_20)
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    POSITION_INDEPENDENT_CODE ON)
  if(MERCURIO_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${MERCURIO_PLUGIN_OUTPUT_DIRECTORY})
  endif()
  if(UNIX AND NOT APPLE)
    # A plugin must not leave undefined symbols for the kernel to satisfy.
    target_link_options(${target} PRIVATE -Wl,--no-undefined)
  endif()
  if(NOT MERCURIO_PLUGIN_NO_INSTALL)
    include(GNUInstallDirs)
    install(TARGETS ${target} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/mercurio/plugins COMPONENT plugins)
  endif()
endfunction()
