#include "JobRunner.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"

#include <QMetaObject>
#include <QPointer>

#include <chrono>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace phinet::gui {
namespace {

// A queued call from the job thread reaches the GUI thread through Qt's event queue, which Qt guards
// with its own futex-based mutex: ThreadSanitizer cannot see that edge (Debian's Qt is not
// instrumented) and took everything the job wrote before posting (a preview, a result) as racing
// with the GUI thread's reads. Under TSan the edge is stated: the job thread releases before it
// posts, the posted call acquires first. Nothing in other builds.
void handoffRelease([[maybe_unused]] const void* key)
{
#if defined(__SANITIZE_THREAD__)
    __tsan_release(const_cast<void*>(key));
#endif
}
void handoffAcquire([[maybe_unused]] const void* key)
{
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(const_cast<void*>(key));
#endif
}

/// Forwards core events to the runner's thread as queued signals.
class Forwarder : public ExperimentObserver {
public:
    explicit Forwarder(JobRunner* r) : runner_(r) {}
    void onEvent(const ExperimentEvent& e) override
    {
        // The runner outlives the thread (its destructor joins), so the pointer stays valid here.
        // The call (with its copy of the event) is made before the release, so the copy is covered.
        auto call = [r = runner_, e] {
            handoffAcquire(r);
            Q_EMIT r->event(e);
        };
        handoffRelease(runner_);
        QMetaObject::invokeMethod(runner_, std::move(call), Qt::QueuedConnection);
    }

private:
    JobRunner* runner_;
};

/// What a job's work hands back to its thread's end.
struct Outcome {
    bool cancelled = false;
    std::string result;
    RunReport report;
};

} // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<phinet::ExperimentEvent>();
    qRegisterMetaType<phinet::gui::RunReport>();
}

JobRunner::~JobRunner()
{
    cancel();
    wait();
}

template <typename F> bool JobRunner::launch(F&& work)
{
    if (running_) return false;
    wait(); // join a finished thread
    cancel_ = std::make_unique<CancelToken>();
    running_ = true;
    {
        std::lock_guard lock(doneMutex_);
        threadDone_ = false;
    }
    Q_EMIT started();
    CancelToken* token = cancel_.get();
    thread_ = std::thread([this, token, work = std::forward<F>(work)]() mutable {
        bool ok = false, cancelled = false;
        QString message, result;
        RunReport report;
        try {
            Forwarder fwd(this);
            Outcome out = work(fwd, token);
            cancelled = out.cancelled;
            ok = !cancelled;
            result = QString::fromStdString(out.result);
            report = std::move(out.report);
        } catch (const Cancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            // c10::Error derives from std::exception too: every core failure ends here as a message.
            message = QString::fromStdString(e.what());
            logger()->error("job failed: {}", e.what());
        } catch (...) {
            message = QStringLiteral("unknown error");
        }
        handoffRelease(this);
        QMetaObject::invokeMethod(
            this,
            [this, ok, cancelled, message, result, report = std::move(report)] {
                handoffAcquire(this);
                running_ = false;
                Q_EMIT finished(ok, cancelled, message, result, report);
            },
            Qt::QueuedConnection);
        {
            std::lock_guard lock(doneMutex_);
            threadDone_ = true;
        }
        doneChanged_.notify_all();
    });
    return true;
}

bool JobRunner::startStudy(const ExperimentConfig& config, const QString& outDir)
{
    const std::string out = outDir.toStdString();
    return launch([config, out](ExperimentObserver& obs, CancelToken* token) {
        auto r = runExperiment(config, out, &obs, token);
        return Outcome{r.cancelled, r.csvPath.string(), RunReport{std::move(r.models), toJson(r.manifest), r.runId}};
    });
}

bool JobRunner::startSweep(const SweepConfig& config, const QString& outDir)
{
    const std::string out = outDir.toStdString();
    return launch([config, out](ExperimentObserver& obs, CancelToken* token) {
        auto r = runSweep(config, out, &obs, token);
        return Outcome{r.cancelled, r.csvPath.string(), RunReport{std::move(r.rows), std::move(r.manifest), r.runId}};
    });
}

bool JobRunner::startTask(std::function<std::string(const CancelToken& cancel)> work)
{
    return launch([work = std::move(work)](ExperimentObserver&, CancelToken* token) {
        return Outcome{false, work(*token), {}};
    });
}

void JobRunner::cancel()
{
    if (cancel_) cancel_->cancel();
}

void JobRunner::wait()
{
    if (thread_.joinable()) thread_.join();
}

bool JobRunner::waitFor(int ms)
{
    if (!thread_.joinable()) return true;
    std::unique_lock lock(doneMutex_);
    if (!doneChanged_.wait_for(lock, std::chrono::milliseconds(ms), [this] { return threadDone_; })) return false;
    lock.unlock();
    thread_.join(); // it has returned from its work: this join is immediate
    return true;
}

} // namespace phinet::gui
