#include "phinet/bench/ModelBench.h"

#include "phinet/common/SafeTensors.h"
#include "phinet/export/Micromind.h"
#include "phinet/model/MemoryEstimate.h"

#include "phinet/common/Threads.h"
#include "phinet/train/Trainer.h"

#include <torch/cuda.h>

#include <atomic>
#include <unistd.h>

namespace phinet {

std::string gpuUnavailableReason()
{
    if (torch::cuda::is_available()) return {};
    return at::hasCUDA() ? "no CUDA device is present" : "this LibTorch was built without CUDA";
}
namespace fs = std::filesystem;

namespace {
fs::path tempFile(const char* what)
{
    static std::atomic<int> n{0};
    return fs::temp_directory_path() /
           ("phinet-" + std::string(what) + "-" + std::to_string(getpid()) + "-" + std::to_string(n++) + ".tmp");
}

torch::Tensor benchInput(const PhiNetConfig& c, int batch, torch::Device device = torch::kCPU)
{
    ensureMemoryFits(c, batch, MemoryUse::Inference, "latency at batch " + std::to_string(batch));
    return torch::randn({batch, c.input[0], c.input[1], c.input[2]}, torch::TensorOptions().device(device));
}
} // namespace

LatencyReport fp32CpuLatency(PhiNet& model, LatencyProtocol p, const CancelToken* cancel)
{
    pinAllocator();
    p.threads = setComputeThreads(p.threads);
    p.device = "cpu";
    if (p.engine.empty() || p.engine == "fp32") p.engine = "fp32 (oneDNN conv, OpenBLAS GEMM)";
    model->eval();
    setChannelsLast(model, false);
    const auto x = benchInput(model->config(), p.batch);
    auto r = measureLatency(
        [&] {
            torch::NoGradGuard ng;
            model->forward(x);
        },
        p, {}, cancel);
    return r;
}

LatencyReport fp32GpuLatency(PhiNet& model, LatencyProtocol p, const CancelToken* cancel)
{
    LatencyReport r;
    p.device = "cuda:0";
    p.engine = "fp32 (CUDA)";
    r.protocol = p;
    if (const auto why = gpuUnavailableReason(); !why.empty()) {
        r.available = false;
        r.unavailableReason = why;
        return r;
    }
    model->eval();
    model->to(torch::kCUDA);
    const auto x = benchInput(model->config(), p.batch, torch::kCUDA);
    try {
        r = measureLatency(
            [&] {
                torch::NoGradGuard ng;
                model->forward(x);
            },
            p, [] { torch::cuda::synchronize(); }, cancel);
    } catch (const Cancelled&) {
        model->to(torch::kCPU); // the caller's model stays where it was
        throw;
    }
    model->to(torch::kCPU);
    return r;
}

LatencyReport int8CpuLatency(const QuantizedPhiNet& model, LatencyProtocol p, const CancelToken* cancel)
{
    pinAllocator();
    p.threads = setComputeThreads(p.threads);
    p.device = "cpu";
    p.engine = toString(model.engine());
    model.repack(); // ONEDNN kernels keep the thread count they first ran with
    const auto x = benchInput(model.plan().config, p.batch);
    return measureLatency([&] { model.forward(x); }, p, {}, cancel);
}

namespace {
/// The fixed input of a round: the same values for every model and round (seeded).
torch::Tensor roundInput(const PhiNetConfig& c, int batch)
{
    ensureMemoryFits(c, batch, MemoryUse::Inference, "latency at batch " + std::to_string(batch));
    auto gen = at::detail::createCPUGenerator(1234);
    return torch::rand({batch, c.input[0], c.input[1], c.input[2]}, gen);
}

std::function<void()> fp32Forward(PhiNet model, int batch)
{
    model->eval();
    setChannelsLast(model, false);
    auto x = roundInput(model->config(), batch);
    return [model, x]() mutable {
        torch::NoGradGuard ng;
        model->forward(x);
    };
}

std::function<void()> int8Forward(std::shared_ptr<QuantizedPhiNet> q, int batch)
{
    q->repack(); // for this round's thread count, from the weights afresh
    auto x = roundInput(q->plan().config, batch);
    return [q, x] { q->forward(x); };
}
} // namespace

ForwardFactory forwardFromFile(const fs::path& file, int batch, std::optional<QuantEngine> engine)
{
    const bool int8 = modelFileKind(file) == ModelFileKind::Int8;
    return [file, batch, engine, int8]() -> std::function<void()> {
        if (int8) return int8Forward(std::make_shared<QuantizedPhiNet>(QuantizedPhiNet::load(file, engine)), batch);
        return fp32Forward(openFp32Model(file).model, batch);
    };
}

ForwardFactory forwardFromModel(PhiNet& model, int batch)
{
    // The weights as they are now (a caller may train the model further before the rounds run).
    std::vector<std::pair<std::string, torch::Tensor>> state;
    {
        torch::NoGradGuard ng;
        for (const auto& p : model->named_parameters())
            state.emplace_back(p.key(), p.value().detach().clone());
        for (const auto& b : model->named_buffers())
            state.emplace_back(b.key(), b.value().detach().clone());
    }
    return [config = model->config(), state = std::move(state), batch]() -> std::function<void()> {
        PhiNet copy(config);
        {
            torch::NoGradGuard ng;
            auto params = copy->named_parameters();
            auto buffers = copy->named_buffers();
            for (const auto& [name, t] : state)
                (params.contains(name) ? params[name] : buffers[name]).copy_(t);
        }
        return fp32Forward(copy, batch);
    };
}

ForwardFactory forwardFromInt8(const QuantizedPhiNet& model, int batch)
{
    return [&model, batch]() -> std::function<void()> {
        model.repack();
        auto x = roundInput(model.plan().config, batch);
        return [&model, x] { model.forward(x); };
    };
}

LatencyComparison compareForwards(const std::vector<std::string>& names, const std::vector<ForwardFactory>& factories,
                                  ComparisonProtocol protocol, const CancelToken* cancel)
{
    pinAllocator();
    protocol.threads = setComputeThreads(protocol.threads);
    auto run = [&](int round) {
        std::vector<std::function<void()>> forwards;
        for (const auto& make : factories)
            forwards.push_back(make()); // fresh instances, all alive for the round
        return measureInterleaved(forwards, protocol.warmup, protocol.runsPerRound,
                                  size_t(round) % std::max<size_t>(1, forwards.size()), cancel);
    };
    return compareLatency(names, run, protocol, cancel);
}

std::int64_t fp32ModelBytes(PhiNet& model)
{
    const auto path = tempFile("fp32");
    CheckpointMeta meta;
    meta.model = model->config();
    saveCheckpoint(path, model, meta);
    const auto bytes = std::int64_t(fs::file_size(path));
    fs::remove(path);
    return bytes;
}

std::int64_t int8ModelBytes(const QuantizedPhiNet& model)
{
    const auto path = tempFile("int8");
    model.save(path);
    const auto bytes = std::int64_t(fs::file_size(path));
    fs::remove(path);
    return bytes;
}

} // namespace phinet
