# pse_warnings(target): the project's warning set, applied to our own targets only.
function(pse_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wimplicit-fallthrough)
  if(PSE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
