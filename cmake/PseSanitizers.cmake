if(PSE_SANITIZE)
  set(pse_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang 14's -fsanitize=function (a check GCC does not have) makes the assembler fail on
    # some of our lambdas ("Cannot represent a difference across sections").
    list(APPEND pse_sanitize_flags -fno-sanitize=function)
  endif()
  add_compile_options(${pse_sanitize_flags})
  add_link_options(${pse_sanitize_flags})
endif()

# ThreadSanitizer cannot be combined with AddressSanitizer: it is a build of its own.
if(PSE_TSAN)
  if(PSE_SANITIZE OR PSE_FUZZ)
    message(FATAL_ERROR "PSE_TSAN cannot be combined with PSE_SANITIZE or PSE_FUZZ")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  # Asio wraps each handler in std::atomic_thread_fence, which TSan does not model (GCC warns,
  # -Wtsan). The fences are redundant with the io_context's mutex-guarded queue that hands a
  # handler to its thread, which TSan does see; without them TSan reasons from that mutex.
  add_compile_definitions(BOOST_ASIO_DISABLE_FENCED_BLOCK)
endif()

# libFuzzer comes with clang only. Every library is compiled with the fuzzer's coverage
# instrumentation (fuzzer-no-link), so the fuzzer is guided by the code under test and not only
# by its harness; pse_fuzzer() (tests/CMakeLists.txt) links each target with the fuzzer's main().
if(PSE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PSE_FUZZ needs clang (libFuzzer); use the fuzz preset")
  endif()
  set(pse_fuzz_flags -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function
                     -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${pse_fuzz_flags})
  add_link_options(-fsanitize=address,undefined)
endif()
