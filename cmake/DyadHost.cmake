# Flags and helpers for host targets.  Every host target links dyad_host_flags;
# nothing is added globally, so the guest project never sees these.
add_library(dyad_host_flags INTERFACE)
target_compile_options(dyad_host_flags INTERFACE
  -Wall -Wextra -Wshadow -Wvla -Wmissing-prototypes -Wstrict-prototypes
  -Wformat=2 -Wpointer-arith -Wcast-qual -Wundef -Wno-unused-parameter
  -fno-common -g -D_FORTIFY_SOURCE=2)
target_compile_definitions(dyad_host_flags INTERFACE _GNU_SOURCE)
if(DYAD_WERROR)
  target_compile_options(dyad_host_flags INTERFACE -Werror)
endif()
if(DYAD_SANITIZE)
  target_compile_options(dyad_host_flags INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(dyad_host_flags INTERFACE -fsanitize=address,undefined)
elseif(DYAD_TSAN)
  target_compile_options(dyad_host_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(dyad_host_flags INTERFACE -fsanitize=thread)
else()
  target_compile_options(dyad_host_flags INTERFACE -fstack-protector-strong -fPIE)
  target_link_options(dyad_host_flags INTERFACE -pie -Wl,-z,relro,-z,now)
endif()

# dyad_unit_test(NAME SOURCES a.c b.c LIBS x y)
# A Check suite under CTest.  Check forks each test, so a crash fails one test.
function(dyad_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CHECK dyad_host_flags)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME unit.${name} COMMAND ${name})
  set_tests_properties(unit.${name} PROPERTIES LABELS unit TIMEOUT 120
    ENVIRONMENT "CK_DEFAULT_TIMEOUT=30;DYAD_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()

# dyad_fuzz_target(NAME SOURCES fuzz.c LIBS x CORPUS dir)
# Builds NAME-replay (an ordinary main that runs every file in CORPUS through
# LLVMFuzzerTestOneInput, registered with CTest) and, with clang, NAME as a
# libFuzzer binary for real fuzzing: build/tests/fuzz/NAME CORPUS.
function(dyad_fuzz_target name)
  cmake_parse_arguments(F "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name}-replay ${F_SOURCES} ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.c)
  target_link_libraries(${name}-replay PRIVATE ${F_LIBS} dyad_host_flags)
  set_target_properties(${name}-replay PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fuzz)
  add_test(NAME fuzz.${name} COMMAND ${name}-replay ${F_CORPUS})
  set_tests_properties(fuzz.${name} PROPERTIES LABELS fuzz TIMEOUT 300)
  if(CMAKE_C_COMPILER_ID STREQUAL "Clang")
    add_executable(${name} ${F_SOURCES})
    target_link_libraries(${name} PRIVATE ${F_LIBS} dyad_host_flags)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES
      RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests/fuzz)
  endif()
endfunction()
