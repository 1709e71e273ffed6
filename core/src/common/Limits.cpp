#include "phinet/common/Limits.h"

#include <algorithm>
#include <fstream>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <sys/resource.h>

namespace phinet {

int maxThreads()
{
    const unsigned n = std::thread::hardware_concurrency();
    return int(std::min(4u * (n ? n : 1u), 1024u));
}

namespace {
/// A cgroup v2 (or v1) memory limit and usage, when the process runs under one.
std::int64_t cgroupHeadroom()
{
    auto readNumber = [](const char* path) -> std::int64_t {
        std::ifstream in(path);
        std::string s;
        if (!(in >> s) || s == "max") return -1;
        try {
            return std::stoll(s);
        } catch (...) {
            return -1;
        }
    };
    std::int64_t limit = readNumber("/sys/fs/cgroup/memory.max");
    std::int64_t usage = readNumber("/sys/fs/cgroup/memory.current");
    if (limit < 0) {
        limit = readNumber("/sys/fs/cgroup/memory/memory.limit_in_bytes");
        usage = readNumber("/sys/fs/cgroup/memory/memory.usage_in_bytes");
    }
    // v1 reports "no limit" as a huge number.
    if (limit <= 0 || usage < 0 || limit > (std::int64_t(1) << 50)) return -1;
    return std::max<std::int64_t>(0, limit - usage);
}
} // namespace

std::int64_t availableMemoryBytes()
{
    std::int64_t avail = 0;
    std::ifstream in("/proc/meminfo");
    std::string key, unit;
    std::int64_t value = 0;
    while (in >> key >> value >> unit) {
        if (key == "MemAvailable:") {
            avail = value * 1024;
            break;
        }
    }
    const std::int64_t cg = cgroupHeadroom();
    if (cg >= 0 && (avail == 0 || cg < avail)) avail = cg;
    // A limit on the process itself (ulimit -v / -d) counts too: what is left under it.
    auto vmKb = [](const char* key) -> std::int64_t {
        std::ifstream st("/proc/self/status");
        std::string k, unit;
        for (std::string line; std::getline(st, line);)
            if (line.rfind(key, 0) == 0) return std::atoll(line.c_str() + std::strlen(key));
        return -1;
    };
    for (const auto& [res, key] : {std::pair{RLIMIT_AS, "VmSize:"}, std::pair{RLIMIT_DATA, "VmData:"}}) {
        rlimit rl{};
        if (getrlimit(res, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) continue;
        const std::int64_t used = vmKb(key);
        if (used < 0) continue;
        const std::int64_t left = std::max<std::int64_t>(0, std::int64_t(rl.rlim_cur) - used * 1024);
        if (avail == 0 || left < avail) avail = left;
    }
    return avail;
}

} // namespace phinet
