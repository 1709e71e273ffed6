# One INTERFACE target carrying the project's compile policy (warnings, definitions). Every target
# links it PRIVATE; nothing here touches global flags.
add_library(phinet_common INTERFACE)
target_compile_options(phinet_common INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<CONFIG:Release>:-O2>)
target_compile_definitions(phinet_common INTERFACE
  PHINET_VERSION="${PROJECT_VERSION}")

# Sanitizers (scripts/check-sanitizers): PHINET_SANITIZE=address is ASan+UBSan, =thread is TSan.
# Only the project's own targets are instrumented (they all link phinet_common); LibTorch, Qt and
# OpenMP stay as Debian built them. UBSan does not recover, so any report fails the test.
set(PHINET_SANITIZE "" CACHE STRING "Sanitizers for the project's targets: empty, address (ASan+UBSan) or thread (TSan)")
set_property(CACHE PHINET_SANITIZE PROPERTY STRINGS "" address thread)
if(PHINET_SANITIZE STREQUAL "address")
  target_compile_options(phinet_common INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(phinet_common INTERFACE -fsanitize=address,undefined)
elseif(PHINET_SANITIZE STREQUAL "thread")
  target_compile_options(phinet_common INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(phinet_common INTERFACE -fsanitize=thread)
elseif(NOT PHINET_SANITIZE STREQUAL "")
  message(FATAL_ERROR "PHINET_SANITIZE must be empty, address or thread (got '${PHINET_SANITIZE}')")
endif()

# Installed layout: resources live in share/phinet-workbench relative to the executable's prefix,
# so the programs find them after relocation (bin/../share/phinet-workbench).
set(PHINET_DATA_SUBDIR "${CMAKE_INSTALL_DATADIR}/phinet-workbench")
