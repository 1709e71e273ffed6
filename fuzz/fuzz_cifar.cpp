// CIFAR-10 binary batches. Input: byte 0 selects the mode (bit 0: the train split, the same content
// as all five data_batch_N.bin; bit 1: a batches.meta.txt whose length is byte 1, taken next), then
// the batch file (3073-byte records: label, 3072 pixel bytes).
#include "FuzzUtil.h"

#include "phinet/data/Dataset.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace phinet::fuzz {
/// One input of fuzz_cifar (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int cifar(const std::uint8_t* data, size_t size)
{
    Input in{data, size};
    const auto mode = in.take(1);
    const bool train = mode & 1;
    const auto dir = freshDir("cifar");
    if (mode & 2) writeFile(dir / "batches.meta.txt", in.takeBytes(in.take(1)));
    const auto batch = in.rest();
    if (train)
        for (int i = 1; i <= 5; ++i)
            writeFile(dir / ("data_batch_" + std::to_string(i) + ".bin"), batch);
    else
        writeFile(dir / "test_batch.bin", batch);
    return expectCleanError([&] {
        const auto d = loadCifar10Binary(dir, train ? Split::Train : Split::Test);
        const std::int64_t records = std::int64_t(batch.size() / 3073) * (train ? 5 : 1);
        if (d.size() != records || d.images.sizes() != torch::IntArrayRef({records, 3, 32, 32}))
            finding("loadCifar10Binary: " + std::to_string(d.size()) + " images from " + std::to_string(records) +
                    " records");
        if (d.classes.size() != 10) finding("loadCifar10Binary: " + std::to_string(d.classes.size()) + " classes");
        if (d.size() > 0 && d.labels.max().item<std::int64_t>() > 9) finding("loadCifar10Binary: label above 9");
    });
}
} // namespace phinet::fuzz

#ifndef PHINET_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, size_t size)
{
    return phinet::fuzz::cifar(data, size);
}
#endif
