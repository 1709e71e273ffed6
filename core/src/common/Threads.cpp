#include "phinet/common/Threads.h"

#include <ATen/Parallel.h>

#include <dlfcn.h>
#include <malloc.h>

#include <thread>

namespace phinet {

int hardwareThreads()
{
    const unsigned n = std::thread::hardware_concurrency();
    return n ? int(n) : 1;
}

int setComputeThreads(int n)
{
    if (n <= 0) n = hardwareThreads();
    at::set_num_threads(n);
    // OpenBLAS is reached through libblas.so.3; look its setter up at run time so the reference
    // BLAS (no such symbol) still works.
    using SetFn = void (*)(int);
    if (auto fn = reinterpret_cast<SetFn>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) fn(n);
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
