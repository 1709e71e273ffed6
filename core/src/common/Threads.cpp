#include "phinet/common/Threads.h"

#include "phinet/common/Limits.h"

#include <ATen/Parallel.h>

#include <dlfcn.h>
#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace phinet {

int hardwareThreads()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n ? int(n) : 1;
}

int setComputeThreads(int n)
{
    if (n <= 0) {
        // 0: every core, or OpenMP's own setting when OMP_NUM_THREADS gives one (as LibTorch's default
        // does; the TSan run relies on it to keep parallel regions on the calling thread).
        n = hardwareThreads();
        if (const char* env = std::getenv("OMP_NUM_THREADS")) {
            char* end = nullptr;
            const long v = std::strtol(env, &end, 10);
            if (end != env && v > 0 && v <= maxThreads()) n = int(v);
        }
    }
    n = std::min(n, maxThreads()); // configs are validated against this; a last guard
    at::set_num_threads(n);
    // OpenBLAS (reached through libblas.so.3) keeps its own pthread pool. Beside LibTorch's OpenMP
    // threads it only oversubscribes the cores: measured here, FP32 batch-1 latency at 2 threads had a
    // p90 of ~70 ms for a 5 ms median with 2 OpenBLAS threads. LibTorch parallelises around its GEMM
    // calls itself, so OpenBLAS runs single-threaded. Looked up at run time: the reference BLAS has no
    // such symbol.
    using SetFn = void (*)(int);
    if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(1);
    return n;
}

void pinAllocator()
{
    static const bool done = [] {
        mallopt(M_MMAP_THRESHOLD, 256 * 1024 * 1024);
        mallopt(M_TRIM_THRESHOLD, 512 * 1024 * 1024);
        return true;
    }();
    (void)done;
}

} // namespace phinet
