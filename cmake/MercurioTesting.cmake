# mercurio_add_test(<name> SOURCES <files...> [LINK <libs...>])
# One GoogleTest executable; each TEST becomes its own CTest test.
function(mercurio_add_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LINK" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LINK} GTest::gtest GTest::gmock GTest::gtest_main Threads::Threads)
  mercurio_set_warnings(${name})
  target_compile_definitions(${name} PRIVATE
    MERCURIO_VERSION="${PROJECT_VERSION}"
    MERCURIO_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    MERCURIO_BINARY_DIR="${PROJECT_BINARY_DIR}"
    MERCURIO_PLUGIN_DIR="${MERCURIO_PLUGIN_OUTPUT_DIRECTORY}"
    MERCURIO_FIXTURE_PLUGIN_DIR="${MERCURIO_FIXTURE_PLUGIN_DIRECTORY}")
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST PROPERTIES TIMEOUT 300)
endfunction()
