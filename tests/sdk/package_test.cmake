# Installs the SDK component into a temporary prefix, then configures and builds the examples
# as an integrator would: a separate project with find_package(pse). Run by ctest as
#   cmake -DBUILD_DIR=… -DEXAMPLES_DIR=… -DWORK_DIR=… [-DEXTRA_FLAGS=…] [-DLAUNCHER=…]
#         [-DCXX_COMPILER=… -DC_COMPILER=…] -P package_test.cmake
foreach(variable BUILD_DIR EXAMPLES_DIR WORK_DIR)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "package_test.cmake needs -D${variable}=…")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "failed (${status}): ${ARGN}\n${output}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix --component sdk)
foreach(installed include/pse/client.hpp include/pse/provider.hpp include/pse/pse.h lib/cmake/pse/pseConfig.cmake)
  if(NOT EXISTS ${WORK_DIR}/prefix/${installed})
    message(FATAL_ERROR "not installed: ${installed}")
  endif()
endforeach()

set(configure_arguments -S ${EXAMPLES_DIR} -B ${WORK_DIR}/build -G Ninja -DCMAKE_BUILD_TYPE=Debug
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
if(EXTRA_FLAGS)
  # A sanitized SDK needs a sanitized program around it.
  list(APPEND configure_arguments "-DCMAKE_CXX_FLAGS=${EXTRA_FLAGS}" "-DCMAKE_C_FLAGS=${EXTRA_FLAGS}"
       "-DCMAKE_EXE_LINKER_FLAGS=${EXTRA_FLAGS}")
endif()
# The SDK is a static library: the program around it is built by the same compiler.
if(CXX_COMPILER AND C_COMPILER)
  list(APPEND configure_arguments -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_C_COMPILER=${C_COMPILER})
endif()
if(LAUNCHER)
  list(APPEND configure_arguments -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER} -DCMAKE_C_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run(${CMAKE_COMMAND} ${configure_arguments})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2)

# The programs link and start: without arguments each prints its usage and exits 2.
foreach(program pse_example_consumer pse_example_provider pse_example_consumer_c)
  execute_process(COMMAND ${WORK_DIR}/build/${program} RESULT_VARIABLE status OUTPUT_QUIET ERROR_QUIET)
  if(NOT status EQUAL 2)
    message(FATAL_ERROR "${program} without arguments exited ${status}, expected 2 (usage)")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK_DIR})
