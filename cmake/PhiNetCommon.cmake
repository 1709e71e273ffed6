# One INTERFACE target carrying the project's compile policy (warnings, definitions). Every target
# links it PRIVATE; nothing here touches global flags.
add_library(phinet_common INTERFACE)
target_compile_options(phinet_common INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<CONFIG:Release>:-O2>)
target_compile_definitions(phinet_common INTERFACE
  PHINET_VERSION="${PROJECT_VERSION}")

# Installed layout: resources live in share/phinet-workbench relative to the executable's prefix,
# so the programs find them after relocation (bin/../share/phinet-workbench).
set(PHINET_DATA_SUBDIR "${CMAKE_INSTALL_DATADIR}/phinet-workbench")
