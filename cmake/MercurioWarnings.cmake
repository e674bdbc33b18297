# Warnings are errors for project code (not for the system headers it includes).
function(mercurio_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror -Wshadow -Wnon-virtual-dtor
                                           -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    # GCC 12 with optimization reports false positives inside libstdc++ (not in our code):
    # std::string internals as overlapping memcpy (GCC bug 105329) and std::variant members held
    # in a std::optional as "maybe uninitialized" (GCC bugs 105593, 107138), and sized delete of
    # a moved-from temporary as freeing a non-heap object (GCC bug 108088).
    target_compile_options(${target} PRIVATE -Wno-restrict -Wno-maybe-uninitialized -Wno-free-nonheap-object)
  endif()
endfunction()
