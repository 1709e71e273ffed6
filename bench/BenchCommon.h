#pragma once
// Shared by the benchmarks: medians and the PyTorch eager reference run in the same process order.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phinet::bench {

inline double median(std::vector<double> v)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

/// True when Debian's python3-torch can be imported.
inline bool havePythonTorch()
{
    return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0;
}

/// Runs bench/reference/pytorch_phinet.py with `args` and returns its JSON (null on failure).
inline nlohmann::json pythonReference(const std::string& args)
{
    const std::string cmd = "/usr/bin/python3 " + std::string(PHINET_SOURCE_DIR) +
                            "/bench/reference/pytorch_phinet.py " + args + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) return nullptr;
    std::string out;
    char buf[4096];
    while (fgets(buf, sizeof buf, pipe.get()))
        out += buf;
    try {
        return nlohmann::json::parse(out);
    } catch (...) {
        return nullptr;
    }
}

} // namespace phinet::bench
