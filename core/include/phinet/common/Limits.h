#pragma once
/// Ranges every configuration field is checked against (one message format for all of them), and
/// the machine's limits (threads, memory). Torch-free.

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "phinet/common/ConfigFields.h" // checkRange: the one range message of every field

namespace phinet {

/// The most intra-op threads any setting may ask for: 4x this machine's hardware threads (more only
/// makes threads wait on each other; 100000 would exhaust the process).
int maxThreads();

/// Memory the machine can give this process now (MemAvailable of /proc/meminfo, or the cgroup's
/// limit minus its usage when lower), in bytes; 0 when unknown.
std::int64_t availableMemoryBytes();

} // namespace phinet
