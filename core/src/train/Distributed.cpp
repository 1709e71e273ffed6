#include "phinet/train/Distributed.h"

#include "phinet/common/Log.h"

// c10d's Gloo header is empty unless USE_C10D_GLOO is defined; it needs Debian's libgloo-dev. Defined
// here, for this file only, so the core's precompiled Torch header stays valid.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO
#endif
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace phinet {
namespace {
using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0)
{
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int intVar(const std::function<const char*(const char*)>& env, const char* name, int fallback, int lo, int hi)
{
    const char* v = env(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    errno = 0;
    const long x = std::strtol(v, &end, 10);
    if (errno || *end || x < lo || x > hi)
        throw ConfigError(std::string("environment variable ") + name + "=\"" + v + "\": expected an integer in [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return int(x);
}

bool isLoopback(const std::string& host)
{
    return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

/// Runs a c10d call and turns its failures (a peer that closed its sockets, a timeout) into one
/// message that says what happened and what to do.
template <class F> auto guarded(const ProcessGroup& g, const char* what, F&& f)
{
    try {
        return f();
    } catch (const DistributedError&) {
        throw;
    } catch (const std::exception& e) {
        std::string m = e.what();
        if (auto nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
        throw DistributedError("distributed training: rank " + std::to_string(g.rank()) + " of " +
                               std::to_string(g.worldSize()) + " lost the other ranks during " + what +
                               " (a rank died, was killed or hung past the timeout): " + m +
                               "; restart every rank with --resume from the last checkpoint");
    }
}

} // namespace

std::string firstSlurmHost(const std::string& nodeList)
{
    // The first entry ends at the first comma outside brackets.
    std::string first;
    int depth = 0;
    for (char ch : nodeList) {
        if (ch == '[') ++depth;
        if (ch == ']') --depth;
        if (ch == ',' && depth == 0) break;
        first += ch;
    }
    const auto open = first.find('[');
    if (open == std::string::npos) return first;
    // prefix[07-09,12]suffix: the first number of the range keeps its zero padding.
    const auto close = first.find(']', open);
    std::string range = first.substr(open + 1, close == std::string::npos ? std::string::npos : close - open - 1);
    const auto cut = range.find_first_of(",-");
    if (cut != std::string::npos) range.resize(cut);
    return first.substr(0, open) + range + (close == std::string::npos ? "" : first.substr(close + 1));
}

DistributedEnv distributedEnvFromEnvironment(const std::function<const char*(const char*)>& getenvFn)
{
    const std::function<const char*(const char*)> env =
        getenvFn ? getenvFn : [](const char* n) { return static_cast<const char*>(std::getenv(n)); };
    DistributedEnv e;
    const auto set = [&](const char* n) { return env(n) && *env(n); };
    if (set("RANK") || set("WORLD_SIZE")) {
        e.source = "torchrun";
        e.worldSize = intVar(env, "WORLD_SIZE", 1, 1, 65536);
        e.rank = intVar(env, "RANK", 0, 0, e.worldSize - 1);
        e.localRank = intVar(env, "LOCAL_RANK", 0, 0, 65535);
    } else if (set("SLURM_PROCID")) {
        e.source = "slurm";
        e.worldSize = intVar(env, "SLURM_NTASKS", 1, 1, 65536);
        e.rank = intVar(env, "SLURM_PROCID", 0, 0, e.worldSize - 1);
        e.localRank = intVar(env, "SLURM_LOCALID", 0, 0, 65535);
        for (const char* n : {"SLURM_STEP_NODELIST", "SLURM_JOB_NODELIST", "SLURM_NODELIST"})
            if (set(n)) {
                e.masterAddr = firstSlurmHost(env(n));
                break;
            }
    } else {
        return e;
    }
    if (set("MASTER_ADDR")) e.masterAddr = env("MASTER_ADDR");
    e.masterPort = intVar(env, "MASTER_PORT", 29500, 1, 65535);
    return e;
}

std::uint64_t stableHash(const std::string& text)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char ch : text) {
        h ^= ch;
        h *= 1099511628211ULL;
    }
    return h;
}

// ---- ProcessGroup

struct ProcessGroup::Impl {
    DistributedEnv env;
    Options options;
    c10::intrusive_ptr<c10d::Store> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
    CommStats stats;
    int configChecks = 0; ///< checkSameConfig calls so far: each check has keys of its own
};

ProcessGroup::ProcessGroup(const DistributedEnv& env, const Options& options) : impl_(std::make_unique<Impl>())
{
    impl_->env = env;
    impl_->options = options;
    const std::string where = env.masterAddr + ":" + std::to_string(env.masterPort);
    try {
        c10d::TCPStoreOptions so;
        so.port = std::uint16_t(env.masterPort);
        so.isServer = env.rank == 0;
        so.numWorkers = std::size_t(env.worldSize);
        so.waitWorkers = true;
        so.timeout = options.timeout;
        impl_->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, so);
        auto po = c10d::ProcessGroupGloo::Options::create(options.timeout);
        std::string host = options.deviceHost;
        if (host.empty()) {
            if (isLoopback(env.masterAddr)) {
                host = env.masterAddr == "localhost" ? "127.0.0.1" : env.masterAddr;
            } else {
                char name[256] = {};
                ::gethostname(name, sizeof name - 1);
                host = name;
            }
        }
        po->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
        // Two Gloo threads: one bucket reduces while the next is filled.
        po->threads = 2;
        auto prefixed = c10::make_intrusive<c10d::PrefixStore>("phinet/pg", impl_->store);
        impl_->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, env.rank, env.worldSize, po);
    } catch (const std::exception& e) {
        std::string m = e.what();
        if (auto nl = m.find('\n'); nl != std::string::npos) m.resize(nl);
        throw DistributedError("distributed training: rank " + std::to_string(env.rank) + " of " +
                               std::to_string(env.worldSize) + " could not meet the others at " + where +
                               " (MASTER_ADDR:MASTER_PORT) within " + std::to_string(options.timeout.count() / 1000) +
                               " s: " + m);
    }
    logger()->info("distributed: rank {} of {} joined at {} ({})", env.rank, env.worldSize, where, env.source);
}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const
{
    return impl_->env.rank;
}
int ProcessGroup::worldSize() const
{
    return impl_->env.worldSize;
}
const DistributedEnv& ProcessGroup::env() const
{
    return impl_->env;
}
CommStats& ProcessGroup::stats()
{
    return impl_->stats;
}
ProcessGroup::Impl& ProcessGroup::impl()
{
    return *impl_;
}

void ProcessGroup::allreduceSum(std::vector<torch::Tensor>& tensors)
{
    guarded(*this, "an all-reduce", [&] { impl_->pg->allreduce(tensors)->wait(); });
}

void ProcessGroup::broadcast(std::vector<torch::Tensor>& tensors, int root)
{
    c10d::BroadcastOptions o;
    o.rootRank = root;
    guarded(*this, "a broadcast", [&] { impl_->pg->broadcast(tensors, o)->wait(); });
}

void ProcessGroup::barrier()
{
    guarded(*this, "a barrier", [&] { impl_->pg->barrier()->wait(); });
}

StepTotals reduceStep(ProcessGroup& group, double meanLoss, std::int64_t correct, std::int64_t images, bool stop)
{
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<torch::Tensor> control{
        torch::tensor({meanLoss * double(images), double(correct), double(images), stop ? 1.0 : 0.0}, torch::kDouble)};
    group.allreduceSum(control);
    group.stats().controlSeconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const auto a = control[0].accessor<double, 1>();
    return {a[0], std::int64_t(a[1]), std::int64_t(a[2]), a[3] > 0};
}

void ProcessGroup::publish(const std::string& key, const std::string& value)
{
    guarded(*this, "publishing to the store",
            [&] { impl_->store->set(key, std::vector<std::uint8_t>(value.begin(), value.end())); });
}

std::string ProcessGroup::await(const std::string& key, const CancelToken* cancel, std::chrono::milliseconds timeout)
{
    auto& store = *impl_->store;
    const auto start = std::chrono::steady_clock::now();
    for (;;) {
        if (timeout.count() > 0 && std::chrono::steady_clock::now() - start > timeout)
            throw DistributedError("distributed training: rank " + std::to_string(rank()) + " waited " +
                                   std::to_string(timeout.count() / 1000) + " s for \"" + key + "\" in vain");
        if (cancel && cancel->cancelled()) throw Cancelled();
        const bool there = guarded(*this, "waiting for rank 0", [&] { return store.check({key}); });
        if (there) {
            const auto v = guarded(*this, "waiting for rank 0", [&] { return store.get(key); });
            return std::string(v.begin(), v.end());
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
}

void ProcessGroup::checkSameConfig(const std::string& what, std::uint64_t hash)
{
    auto& store = *impl_->store;
    // every rank makes the same checks in the same order: the n-th check's keys are its own (a second
    // training in one process group must not read the first one's hashes)
    const std::string round = std::to_string(impl_->configChecks++);
    const auto key = [&](int r) { return "phinet/config/" + what + "/" + round + "/" + std::to_string(r); };
    const std::string mine = std::to_string(hash);
    std::vector<int> differ;
    guarded(*this, "the configuration check", [&] {
        store.set(key(rank()), std::vector<std::uint8_t>(mine.begin(), mine.end()));
        for (int r = 0; r < worldSize(); ++r) {
            const auto v = store.get(key(r));
            if (std::string(v.begin(), v.end()) != mine) differ.push_back(r);
        }
    });
    if (!differ.empty()) {
        std::string ranks;
        for (int r : differ)
            ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
        throw ConfigError("distributed training: the " + what + " of rank " + std::to_string(rank()) +
                          " differs from that of rank(s) " + ranks + " (hash " + mine +
                          "); start every rank with the same arguments, data and checkpoint");
    }
}

// ---- GradientReducer

struct GradientReducer::Impl {
    ProcessGroup* group = nullptr;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> pg;
    std::vector<torch::Tensor> params;
    struct Slot {
        int bucket = 0;
        std::int64_t offset = 0;
        unsigned hook = 0;
    };
    std::vector<Slot> slots; // by parameter index
    struct Bucket {
        torch::Tensor flat;
        std::vector<int> members;
        int pending = 0;
        bool launched = false;
        c10::intrusive_ptr<c10d::Work> work;
    };
    std::vector<Bucket> buckets;
    std::vector<char> filled;
    int nextToLaunch = 0;
    bool armed = false;
    double weight = 1;
    std::mutex mutex; // backward on CPU runs hooks on one thread; guard anyway

    void launchReady()
    {
        // Collectives must start in the same order on every rank: bucket 0, 1, 2, ...
        while (nextToLaunch < int(buckets.size()) && buckets[size_t(nextToLaunch)].pending == 0) {
            auto& b = buckets[size_t(nextToLaunch)];
            if (weight != 1) b.flat.mul_(weight);
            std::vector<torch::Tensor> t{b.flat};
            b.work = guarded(*group, "the gradient all-reduce", [&] { return pg->allreduce(t); });
            b.launched = true;
            ++nextToLaunch;
        }
    }

    void onGradient(int index, const torch::Tensor& grad)
    {
        std::lock_guard lock(mutex);
        if (!armed || filled[size_t(index)]) return;
        const auto& s = slots[size_t(index)];
        auto& b = buckets[size_t(s.bucket)];
        const auto& p = params[size_t(index)];
        b.flat.narrow(0, s.offset, p.numel()).view(p.sizes()).copy_(grad);
        filled[size_t(index)] = 1;
        --b.pending;
        launchReady();
    }
};

GradientReducer::GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> params, std::int64_t bucketBytes)
    : impl_(std::make_unique<Impl>())
{
    auto& d = *impl_;
    d.group = &group;
    d.pg = group.impl().pg;
    d.params = std::move(params);
    d.slots.resize(d.params.size());
    d.filled.assign(d.params.size(), 0);
    // Reverse registration order: backward produces the classifier's gradients first.
    std::int64_t used = 0;
    for (int i = int(d.params.size()) - 1; i >= 0; --i) {
        const auto& p = d.params[size_t(i)];
        const std::int64_t bytes = p.numel() * std::int64_t(sizeof(float));
        if (d.buckets.empty() || (used > 0 && used + bytes > bucketBytes)) {
            d.buckets.emplace_back();
            used = 0;
        }
        auto& b = d.buckets.back();
        d.slots[size_t(i)] = {int(d.buckets.size()) - 1, used / std::int64_t(sizeof(float)), 0};
        b.members.push_back(i);
        used += bytes;
    }
    for (auto& b : d.buckets) {
        std::int64_t n = 0;
        for (int i : b.members)
            n += d.params[size_t(i)].numel();
        b.flat = torch::zeros({n}, torch::kFloat);
    }
    for (int i = 0; i < int(d.params.size()); ++i) {
        Impl* self = &d;
        d.slots[size_t(i)].hook =
            d.params[size_t(i)].register_hook([self, i](torch::Tensor grad) { self->onGradient(i, grad); });
    }
}

GradientReducer::~GradientReducer()
{
    auto& d = *impl_;
    for (size_t i = 0; i < d.params.size(); ++i) {
        try {
            d.params[i].remove_hook(d.slots[i].hook);
        } catch (const std::exception&) {
        }
    }
    // Do not leave a collective writing into freed buckets.
    for (auto& b : d.buckets)
        if (b.work) try {
                b.work->wait();
            } catch (const std::exception&) {
            }
}

void GradientReducer::prepare(double weight)
{
    auto& d = *impl_;
    std::lock_guard lock(d.mutex);
    for (auto& b : d.buckets) {
        b.pending = int(b.members.size());
        b.launched = false;
        b.work.reset();
    }
    std::fill(d.filled.begin(), d.filled.end(), 0);
    d.nextToLaunch = 0;
    d.weight = weight;
    d.armed = true;
}

void GradientReducer::finish()
{
    auto& d = *impl_;
    auto& stats = d.group->stats();
    const auto t0 = Clock::now();
    {
        std::lock_guard lock(d.mutex);
        d.armed = false;
        // Parameters that got no gradient (or a rank with no images this step) contribute zeros.
        for (size_t i = 0; i < d.params.size(); ++i) {
            if (d.filled[i]) continue;
            const auto& s = d.slots[i];
            d.buckets[size_t(s.bucket)].flat.narrow(0, s.offset, d.params[i].numel()).zero_();
            d.filled[i] = 1;
            --d.buckets[size_t(s.bucket)].pending;
        }
        d.launchReady();
    }
    for (auto& b : d.buckets)
        guarded(*d.group, "the gradient all-reduce", [&] { b.work->wait(); });
    stats.gradientWaitSeconds += secondsSince(t0);
    ++stats.steps;
    stats.buckets = int(d.buckets.size());
    stats.gradientBytes = bytesPerStep();
    torch::NoGradGuard ng;
    for (size_t i = 0; i < d.params.size(); ++i) {
        auto& p = d.params[i];
        const auto& s = d.slots[i];
        auto reduced = d.buckets[size_t(s.bucket)].flat.narrow(0, s.offset, p.numel()).view(p.sizes());
        if (p.grad().defined())
            p.mutable_grad().copy_(reduced);
        else
            p.mutable_grad() = reduced.clone().contiguous(p.suggest_memory_format());
    }
}

int GradientReducer::buckets() const
{
    return int(impl_->buckets.size());
}

std::int64_t GradientReducer::bytesPerStep() const
{
    std::int64_t n = 0;
    for (const auto& b : impl_->buckets)
        n += b.flat.numel() * std::int64_t(sizeof(float));
    return n;
}

// ---- model state and evaluation

void broadcastModel(ProcessGroup& group, PhiNet& model)
{
    torch::NoGradGuard ng;
    for (auto& p : model->parameters()) {
        auto c = p.detach().contiguous();
        std::vector<torch::Tensor> t{c};
        group.broadcast(t, 0);
        if (!c.is_same(p)) p.detach().copy_(c);
    }
    for (auto& b : model->buffers()) {
        auto c = b.contiguous();
        std::vector<torch::Tensor> t{c};
        group.broadcast(t, 0);
        if (!c.is_same(b)) b.copy_(c);
    }
}

void averageBuffers(ProcessGroup& group, PhiNet& model)
{
    torch::NoGradGuard ng;
    std::vector<torch::Tensor> bufs;
    for (auto& b : model->buffers())
        if (b.is_floating_point()) bufs.push_back(b);
    if (bufs.empty()) return;
    std::vector<torch::Tensor> flat{torch::cat([&] {
        std::vector<torch::Tensor> v;
        for (auto& b : bufs)
            v.push_back(b.reshape({-1}));
        return v;
    }())};
    group.allreduceSum(flat);
    flat[0].div_(double(group.worldSize()));
    std::int64_t off = 0;
    for (auto& b : bufs) {
        b.copy_(flat[0].narrow(0, off, b.numel()).view(b.sizes()));
        off += b.numel();
    }
}

DatasetPtr shardDataset(const DatasetPtr& data, int rank, int worldSize)
{
    if (!data || worldSize <= 1) return data;
    auto s = std::make_shared<ImageDataset>();
    auto idx = torch::arange(rank, data->size(), worldSize, torch::kLong);
    s->images = data->images.index_select(0, idx);
    s->labels = data->labels.index_select(0, idx);
    s->classes = data->classes;
    s->source = data->source;
    return s;
}

EvalResult reduceEvalResult(ProcessGroup& group, const EvalResult& local)
{
    const int k = local.numClasses;
    auto t = torch::zeros({2 + std::int64_t(k) * k}, torch::kDouble);
    auto a = t.accessor<double, 1>();
    a[0] = local.loss * double(local.count);
    a[1] = double(local.count);
    for (size_t i = 0; i < local.confusion.size(); ++i)
        a[std::int64_t(i) + 2] = double(local.confusion[i]);
    std::vector<torch::Tensor> v{t};
    group.allreduceSum(v);
    EvalResult r = local;
    r.count = std::int64_t(a[1]);
    std::int64_t correct = 0;
    for (size_t i = 0; i < r.confusion.size(); ++i)
        r.confusion[i] = std::int64_t(a[std::int64_t(i) + 2]);
    for (int c = 0; c < k; ++c)
        correct += r.confusion[size_t(c * k + c)];
    r.loss = r.count ? a[0] / double(r.count) : 0;
    r.accuracy = r.count ? 100.0 * double(correct) / double(r.count) : 0;
    r.imagesPerSecond = r.seconds > 0 ? double(r.count) / r.seconds : 0;
    return r;
}

} // namespace phinet
