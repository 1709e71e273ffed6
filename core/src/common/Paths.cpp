#include "phinet/common/Paths.h"

#include <cstdlib>
#include <system_error>

namespace phinet {
namespace fs = std::filesystem;

fs::path userDataDir()
{
    fs::path dir;
    if (const char* p = std::getenv("PHINET_DATA_HOME"); p && *p)
        dir = p;
    else if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x)
        dir = fs::path(x) / "phinet-workbench";
    else if (const char* h = std::getenv("HOME"); h && *h)
        dir = fs::path(h) / ".local" / "share" / "phinet-workbench";
    else
        dir = fs::temp_directory_path() / "phinet-workbench";
    std::error_code ec;
    fs::create_directories(dir, ec);
    return dir;
}

fs::path executableDir()
{
    std::error_code ec;
    auto exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::current_path() : exe.parent_path();
}

fs::path resourceDir()
{
    if (const char* p = std::getenv("PHINET_RESOURCE_DIR"); p && *p) return p;
    std::error_code ec;
    const auto installed = executableDir() / ".." / "share" / "phinet-workbench";
    if (fs::exists(installed / "presets", ec)) return fs::weakly_canonical(installed, ec);
#ifdef PHINET_SOURCE_RESOURCES
    return PHINET_SOURCE_RESOURCES;
#else
    return installed;
#endif
}

} // namespace phinet
