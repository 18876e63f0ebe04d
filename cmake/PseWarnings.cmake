# pse_warnings(target): the project's warning set, applied to our own targets only.
function(pse_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  # GCC 12 reports false -Wrestrict positives inside std::string at -O2/-O3 (GCC bug 105329).
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(PSE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
