#pragma once
/// Where things live: the user's data folder and the installed resources. Torch-free.

#include <filesystem>

namespace phinet {

/// $PHINET_DATA_HOME, else $XDG_DATA_HOME/phinet-workbench, else ~/.local/share/phinet-workbench.
/// Created on first call.
std::filesystem::path userDataDir();

/// The read-only resources (presets, bundled data subset, translations). Found relative to the
/// running executable (<prefix>/bin/../share/phinet-workbench), so installs are relocatable; in a
/// build tree, the source tree's resources/. $PHINET_RESOURCE_DIR overrides.
std::filesystem::path resourceDir();

/// The folder holding the running executable.
std::filesystem::path executableDir();

} // namespace phinet
