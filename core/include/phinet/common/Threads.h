#pragma once
/// Compute threads and allocator policy. Torch-free.

namespace phinet {

/// Sets LibTorch's intra-op threads to n and OpenBLAS's own pool to 1 (at::set_num_threads alone
/// leaves OpenBLAS's pthreads fighting OpenMP's for the cores; see LIBTORCH_NOTES.md). n <= 0: all
/// cores. Returns the thread count in effect.
int setComputeThreads(int n);

/// Number of hardware threads.
int hardwareThreads();

/// Keeps large buffers in the heap instead of mmap/munmap on every call (glibc's default makes
/// a model that runs only under NoGradGuard ~1.8x slower). Called by the benchmark harness and the
/// INT8 runtime; idempotent.
void pinAllocator();

} // namespace phinet
