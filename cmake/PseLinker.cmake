# LLVM's linker links a test program with full debug information in a quarter of the time GNU
# ld takes (0.9 s against 4.0 s for broker_mtls_test); with about a hundred programs per build
# that is minutes of CI. Used when installed (scripts/setup installs it); GNU ld otherwise.
find_program(PSE_LLD ld.lld)
if(PSE_LLD)
  add_link_options(-fuse-ld=lld)
endif()
