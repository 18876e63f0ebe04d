# ccache turns a rebuild after `git checkout` into seconds on the 2-core machines we build on.
find_program(PSE_CCACHE ccache)
if(PSE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${PSE_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${PSE_CCACHE})
endif()
