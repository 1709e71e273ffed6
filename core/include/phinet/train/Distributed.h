#pragma once
/// Data-parallel training on LibTorch's c10d: where a rank sits (read from the torchrun/PyTorchJob
/// or Slurm environment), a process group (TCPStore rendezvous, Gloo collectives), a bucketed
/// gradient all-reduce overlapped with the backward pass, the shard of a data set a rank evaluates,
/// and BatchNorm statistics averaged across ranks. Includes Torch (not c10d): not for GUI
/// translation units.

#include "phinet/common/Cancel.h"
#include "phinet/common/Error.h"
#include "phinet/data/Dataset.h"
#include "phinet/model/PhiNet.h"
#include "phinet/train/TrainConfig.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace phinet {

/// Another rank died, hung past the timeout, or the rendezvous failed. The message says which
/// rank saw it and what to do (resume from the last checkpoint).
class DistributedError : public Error {
public:
    using Error::Error;
};

/// Where this process sits in a data-parallel job.
struct DistributedEnv {
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    std::string masterAddr = "127.0.0.1";
    int masterPort = 29500;
    std::string source = "none"; ///< "torchrun" (also PyTorchJob and `phinet launch`), "slurm" or "none"
};

/// Reads RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT (torchrun, Kubernetes' PyTorchJob,
/// `phinet launch`) or, when RANK is unset, SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID and the first
/// host of SLURM_STEP_NODELIST / SLURM_JOB_NODELIST (MASTER_ADDR and MASTER_PORT still override;
/// the port defaults to 29500). Neither set: a world of one. Throws ConfigError naming the variable
/// on a value that is not a number or out of range. `getenv` is injectable for tests.
DistributedEnv distributedEnvFromEnvironment(const std::function<const char*(const char*)>& getenv = nullptr);

/// The first host of a Slurm node list: "node[07-09,12],gpu1" -> "node07", "a,b" -> "a".
std::string firstSlurmHost(const std::string& nodeList);

/// 64-bit FNV-1a of a string, the same on every machine (unlike std::hash).
std::uint64_t stableHash(const std::string& text);

/// What the collectives cost, summed since the group was made.
struct CommStats {
    std::int64_t steps = 0;         ///< training steps whose gradients were reduced
    std::int64_t gradientBytes = 0; ///< bytes all-reduced for gradients per step (this rank's buffer)
    int buckets = 0;                ///< gradient buckets per step
    double gradientWaitSeconds = 0; ///< time the trainer waited for gradient all-reduces after backward
    double controlSeconds = 0;      ///< the per-step loss/cancel all-reduce
    double commSecondsPerStep() const { return steps ? (gradientWaitSeconds + controlSeconds) / double(steps) : 0; }
};

/// A c10d process group over Gloo: TCPStore rendezvous on MASTER_ADDR:MASTER_PORT (rank 0 serves
/// it), one Gloo device on this host's address. Every collective must be called by every rank in
/// the same order. Failures of a peer surface as DistributedError within `timeout`.
class ProcessGroup {
public:
    struct Options {
        std::chrono::milliseconds timeout{std::chrono::seconds(120)}; ///< rendezvous, store and collectives
        /// Address the Gloo device binds to. Empty: MASTER_ADDR when this is rank 0 or the address is
        /// loopback, otherwise this host's name.
        std::string deviceHost;
    };
    /// Rendezvous; throws DistributedError naming the address on failure or timeout.
    ProcessGroup(const DistributedEnv& env, const Options& options);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup&) = delete;
    ProcessGroup& operator=(const ProcessGroup&) = delete;

    int rank() const;
    int worldSize() const;
    const DistributedEnv& env() const;

    /// Blocking in-place sum over ranks.
    void allreduceSum(std::vector<torch::Tensor>& tensors);
    /// Blocking in-place broadcast from `root`.
    void broadcast(std::vector<torch::Tensor>& tensors, int root = 0);
    void barrier();
    /// Sets `key` to `value` in the group's store (returns at once; any rank reads it with await()).
    void publish(const std::string& key, const std::string& value);
    /// Waits for `key` in the store, polling it and `cancel` every 50 ms, and returns its value; with
    /// no timeout (0) of its own by default (a rank may work alone for long, e.g. rank 0 quantizing).
    /// Throws DistributedError when the store is gone (rank 0, which serves it, died) or the timeout
    /// passed, Cancelled on cancel.
    std::string await(const std::string& key, const CancelToken* cancel = nullptr,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
    /// Every rank publishes `hash` under `what` and compares all; a mismatch throws ConfigError on
    /// every rank, naming the ranks that differ.
    void checkSameConfig(const std::string& what, std::uint64_t hash);

    CommStats& stats();

    struct Impl;
    Impl& impl();

private:
    std::unique_ptr<Impl> impl_;
};

/// Reduces gradients of a parameter list across ranks while backward runs: a hook on each parameter
/// copies its gradient into a flat bucket (parameters in reverse registration order, the order
/// backward produces them); a full bucket's all-reduce is started at once on Gloo's threads, in
/// bucket order on every rank. finish() waits for them and writes the reduced gradients back.
/// Our own hooks, not c10d::Reducer: the Reducer is DistributedDataParallel's internal class (its
/// constructor, prepare_for_backward and logger hooks are no stable C++ API and change between
/// releases); these hooks use only Tensor::register_hook and ProcessGroup::allreduce.
class GradientReducer {
public:
    GradientReducer(ProcessGroup& group, std::vector<torch::Tensor> params, std::int64_t bucketBytes = 1 << 20);
    ~GradientReducer();
    GradientReducer(const GradientReducer&) = delete;
    GradientReducer& operator=(const GradientReducer&) = delete;

    /// Arms the hooks for one backward pass. `weight` scales this rank's gradient before the sum
    /// (local batch / global batch, so the result is the global batch's mean gradient exactly).
    void prepare(double weight);
    /// Starts what backward did not fill (a rank with no images this step contributes zeros),
    /// waits for every bucket and writes the sums into the parameters' .grad().
    void finish();
    int buckets() const;
    std::int64_t bytesPerStep() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// One training step summed over the ranks: the loss over every image (mean loss x images), correct
/// predictions and images, and whether any rank asked to stop. Every rank calls it once per step
/// (training and QAT), after the gradients' all-reduce; its time counts as CommStats::controlSeconds.
struct StepTotals {
    double lossSum = 0;
    std::int64_t correct = 0;
    std::int64_t images = 0;
    bool stop = false;
    double meanLoss() const { return images ? lossSum / double(images) : 0; }
};
StepTotals reduceStep(ProcessGroup& group, double meanLoss, std::int64_t correct, std::int64_t images, bool stop);

/// Copies rank 0's parameters and buffers to every rank.
void broadcastModel(ProcessGroup& group, PhiNet& model);
/// Averages BatchNorm running statistics (floating-point buffers) across ranks.
void averageBuffers(ProcessGroup& group, PhiNet& model);
/// The rows rank, rank + world, ... of a data set (evaluation shards).
DatasetPtr shardDataset(const DatasetPtr& data, int rank, int worldSize);
/// Combines the ranks' results on their shards into the whole set's (loss, accuracy, confusion).
EvalResult reduceEvalResult(ProcessGroup& group, const EvalResult& local);

} // namespace phinet
