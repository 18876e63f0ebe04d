# The libFuzzer targets (the fuzz preset: clang, PSE_FUZZ=ON). Each target reads one kind of
# network or file input; scripts/fuzz runs them for as long as asked, CI for a short while.

# pse_fuzzer(NAME SOURCES file... LIBS lib... [DICT file] [SEEDS dir...]): a libFuzzer target
# seeded with the committed examples in SEEDS (default: corpus/NAME beside the CMakeLists.txt),
# and a short ctest run over them. The seeds are read-only inputs: libFuzzer writes what it
# finds to the first directory it is given, so that is build/fuzz/corpus/NAME, never a seed
# folder. The target is listed in build/fuzz/fuzzers.tsv for scripts/fuzz.
function(pse_fuzzer name)
  cmake_parse_arguments(PF "" "DICT" "SOURCES;LIBS;SEEDS" ${ARGN})
  add_executable(${name} ${PF_SOURCES})
  target_link_libraries(${name} PRIVATE ${PF_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/tests)
  target_compile_definitions(${name} PRIVATE PSE_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  pse_warnings(${name})
  if(NOT PF_SEEDS)
    set(PF_SEEDS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name})
  endif()
  set(corpus ${PROJECT_BINARY_DIR}/corpus/${name})
  file(MAKE_DIRECTORY ${corpus})
  set(dict_option "")
  set(dict "-")
  if(PF_DICT)
    set(dict ${PF_DICT})
    set(dict_option -dict=${PF_DICT})
  endif()
  add_test(NAME fuzz.${name} COMMAND ${name} -runs=2000 ${dict_option} ${corpus} ${PF_SEEDS})
  string(JOIN "|" seeds ${PF_SEEDS})
  set_property(GLOBAL APPEND PROPERTY PSE_FUZZER_LINES "${name}\t$<TARGET_FILE:${name}>\t${dict}\t${seeds}")
  set_property(GLOBAL APPEND PROPERTY PSE_FUZZERS ${name})
endfunction()

set(PSE_FUZZ_DICTS ${CMAKE_CURRENT_SOURCE_DIR}/support/fuzz)

foreach(dir policy/fuzz adapters/copybook/fuzz adapters/csv/fuzz adapters/xml/fuzz adapters/connector/fuzz
            broker/fuzz broker/consent/fuzz clients/pse-notify/fuzz clients/pse-feedback/fuzz)
  if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${dir}/CMakeLists.txt)
    add_subdirectory(${dir})
  endif()
endforeach()

get_property(fuzzers GLOBAL PROPERTY PSE_FUZZERS)
get_property(lines GLOBAL PROPERTY PSE_FUZZER_LINES)
string(JOIN "\n" manifest ${lines})
file(GENERATE OUTPUT ${PROJECT_BINARY_DIR}/fuzzers.tsv CONTENT "${manifest}\n")
