// The Torch-free safetensors parser every model file goes through. Input: the whole file. Checks,
// beyond "no crash": every tensor's bytes lie inside the content and match its shape and dtype, and
// a parsed file written again by SafeTensorsWriter parses to the same tensors and metadata.
#include "FuzzUtil.h"

#include "phinet/common/SafeTensors.h"

using namespace phinet;
using namespace phinet::fuzz;

namespace phinet::fuzz {
/// One input of fuzz_safetensors (also run by tests/core/tst_fuzzregress.cpp on the saved findings).
inline int safeTensors(const std::uint8_t* data, size_t size)
{
    return expectCleanError([&] {
        const auto f =
            SafeTensorsFile::parse(std::string(reinterpret_cast<const char*>(data), size), "fuzz.safetensors");
        std::uint8_t sum = 0;
        SafeTensorsWriter w;
        for (const auto& t : f.tensors()) {
            if (std::int64_t(t.bytes.size()) != t.numel() * elementSize(t.dtype))
                finding("tensor " + t.name + ": " + std::to_string(t.bytes.size()) + " bytes for " +
                        std::to_string(t.numel()) + " elements of " + toString(t.dtype));
            for (char c : t.bytes)
                sum = std::uint8_t(sum + std::uint8_t(c)); // ASan: the view is readable
            if (f.find(t.name) != &t) finding("find(" + t.name + ") is not the tensor listed");
            (void)f.expect(t.name, t.dtype, t.shape);
            w.add(t.name, t.dtype, t.shape, t.bytes.data(), std::int64_t(t.bytes.size()));
        }
        for (const auto& [k, v] : f.metadata())
            w.setMetadata(k, v);
        (void)f.find("no such tensor");
        // The round trip: what was accepted must be written and read back unchanged.
        std::string again;
        try {
            again = w.encode();
        } catch (const Error& e) {
            finding(std::string("a parsed file cannot be written again: ") + e.what());
        }
        try {
            const auto g = SafeTensorsFile::parse(again, "round-trip");
            if (g.metadata() != f.metadata()) finding("round trip changed the metadata");
            if (g.tensors().size() != f.tensors().size()) finding("round trip changed the tensor count");
            for (size_t i = 0; i < g.tensors().size(); ++i) {
                const auto &a = f.tensors()[i], &b = g.tensors()[i];
                if (a.name != b.name || a.dtype != b.dtype || a.shape != b.shape || a.bytes != b.bytes)
                    finding("round trip changed tensor " + a.name);
            }
        } catch (const Error& e) {
            finding(std::string("a parsed file, written again, is refused: ") + e.what());
        }
        if (sum == 0xff && f.tensors().empty()) std::abort(); // never: keeps `sum` used
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
    return phinet::fuzz::safeTensors(data, size);
}
#endif
