# cmake -P must_not_compile.cmake: one "cannot bypass" case (see README.md).
#
#   -DCXX=<compiler> -DSTD_FLAG=<-std=c++20> -DFLAGS=<options;...> -DINCLUDES=<dirs;...> -DSOURCE=<case.cpp>
#
# The case file marks exactly one line with MERCURIO_BYPASS_FORBIDDEN and names the expected
# diagnostic in a "// MERCURIO_BYPASS_EXPECT: <regex>" comment. The test passes only when
#  1. the control variant (-DMERCURIO_BYPASS_CONTROL, which swaps that one line for a legal one)
#     compiles cleanly, warnings as errors, so nothing else in the file is broken, and
#  2. the file as written does not compile, with an error reported on the marked line whose text
#     matches the expected regex, so it fails for the intended reason and not for a typo.
cmake_minimum_required(VERSION 3.25)

foreach(var CXX STD_FLAG SOURCE)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "must_not_compile.cmake: -D${var}=... is required")
  endif()
endforeach()

# One pass over the file (file(STRINGS) keeps empty lines, so the count is the compiler's line
# number). The two variants must differ in the marked line only:
#   #ifdef MERCURIO_BYPASS_CONTROL / <control line> / #else / <forbidden line> / #endif
file(STRINGS "${SOURCE}" lines)
set(line_number 0)
set(forbidden_line "")
set(expect "")
set(control_mentions 0)
set(prev1 "")
set(prev2 "")
set(prev3 "")
set(shape "")
set(want_endif FALSE)
foreach(line IN LISTS lines)
  math(EXPR line_number "${line_number} + 1")
  string(STRIP "${line}" stripped)
  if(want_endif)
    set(want_endif FALSE)
    string(APPEND shape "|${stripped}")
  endif()
  if(line MATCHES "MERCURIO_BYPASS_FORBIDDEN")
    if(NOT forbidden_line STREQUAL "")
      message(FATAL_ERROR "${SOURCE}: more than one line is marked MERCURIO_BYPASS_FORBIDDEN")
    endif()
    set(forbidden_line ${line_number})
    set(shape "${prev3}|${prev1}")
    set(want_endif TRUE)
  endif()
  if(line MATCHES "MERCURIO_BYPASS_CONTROL")
    math(EXPR control_mentions "${control_mentions} + 1")
  endif()
  if(line MATCHES "^// MERCURIO_BYPASS_EXPECT: (.+)$")
    set(expect "${CMAKE_MATCH_1}")
  endif()
  set(prev3 "${prev2}")
  set(prev2 "${prev1}")
  set(prev1 "${stripped}")
endforeach()
if(forbidden_line STREQUAL "")
  message(FATAL_ERROR "${SOURCE}: no line is marked MERCURIO_BYPASS_FORBIDDEN")
endif()
if(expect STREQUAL "")
  message(FATAL_ERROR "${SOURCE}: no '// MERCURIO_BYPASS_EXPECT: <regex>' line")
endif()
if(NOT shape STREQUAL "#ifdef MERCURIO_BYPASS_CONTROL|#else|#endif" OR NOT control_mentions EQUAL 1)
  message(FATAL_ERROR "${SOURCE}: expected exactly '#ifdef MERCURIO_BYPASS_CONTROL', one control line, '#else', "
                      "the forbidden line (${forbidden_line}), '#endif', and no other mention of MERCURIO_BYPASS_CONTROL")
endif()

# Untranslated, uncolored diagnostics, so the regex and the location check see plain text.
set(ENV{LC_ALL} C)
set(include_flags "")
foreach(dir IN LISTS INCLUDES)
  list(APPEND include_flags "-I${dir}")
endforeach()
set(compile ${CXX} ${STD_FLAG} ${FLAGS} ${include_flags} -fdiagnostics-color=never -fsyntax-only)

# 1. The control must compile.
execute_process(COMMAND ${compile} -DMERCURIO_BYPASS_CONTROL=1 ${SOURCE}
                RESULT_VARIABLE control_result OUTPUT_VARIABLE control_out ERROR_VARIABLE control_out)
if(NOT control_result EQUAL 0)
  message(FATAL_ERROR "control variant of ${SOURCE} does not compile, so the case proves nothing:\n${control_out}")
endif()

# 2. The case itself must not, and for the intended reason on the forbidden line.
execute_process(COMMAND ${compile} ${SOURCE}
                RESULT_VARIABLE case_result OUTPUT_VARIABLE case_out ERROR_VARIABLE case_out)
if(case_result EQUAL 0)
  message(FATAL_ERROR "BYPASS: ${SOURCE} compiled; line ${forbidden_line} must be refused by the SDK's types")
endif()
# Look for "<SOURCE>:<forbidden line>:<column>: error: <text matching expect>" (GCC and Clang).
string(REGEX REPLACE "([][+.*()^$?|\\{}])" "\\\\\\1" source_regex "${SOURCE}")
set(found FALSE)
if("\n${case_out}" MATCHES "\n${source_regex}:${forbidden_line}:[0-9]+: error: [^\n]*(${expect})")
  set(found TRUE)
endif()
if(NOT found)
  message(FATAL_ERROR "${SOURCE} failed to compile, but not with an error matching '${expect}' on line "
                      "${forbidden_line} (the forbidden line):\n${case_out}")
endif()
message(STATUS "refused as intended at ${SOURCE}:${forbidden_line} (${expect})")
