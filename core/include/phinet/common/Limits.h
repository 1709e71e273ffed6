#pragma once
/// Ranges every configuration field is checked against (one message format for all of them), and
/// the machine's limits (threads, memory). Torch-free.

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

namespace phinet {

/// The most intra-op threads any setting may ask for: 4x this machine's hardware threads (more only
/// makes threads wait on each other; 100000 would exhaust the process).
int maxThreads();

/// Memory the machine can give this process now (MemAvailable of /proc/meminfo, or the cgroup's
/// limit minus its usage when lower), in bytes; 0 when unknown.
std::int64_t availableMemoryBytes();

/// Appends "<field>: must be in [lo, hi] (got v)" to `errors` unless lo <= v <= hi (NaN fails).
template <typename T> void checkRange(std::vector<std::string>& errors, const std::string& field, T v, T lo, T hi)
{
    if (v >= lo && v <= hi) return;
    std::ostringstream o;
    o << field << ": must be in [" << lo << ", " << hi << "] (got " << v << ")";
    errors.push_back(o.str());
}

/// Appends "<field>: must be in (lo, hi] (got v)" unless lo < v <= hi (NaN fails).
inline void checkRangeOpenLow(std::vector<std::string>& errors, const std::string& field, double v, double lo,
                              double hi)
{
    if (v > lo && v <= hi) return;
    std::ostringstream o;
    o << field << ": must be in (" << lo << ", " << hi << "] (got " << v << ")";
    errors.push_back(o.str());
}

} // namespace phinet
