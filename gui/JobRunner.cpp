#include "JobRunner.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"

#include <QMetaObject>
#include <QPointer>

#include <chrono>

namespace phinet::gui {
namespace {

/// Forwards core events to the runner's thread as queued signals.
class Forwarder : public ExperimentObserver {
public:
    explicit Forwarder(JobRunner* r) : runner_(r) {}
    void onEvent(const ExperimentEvent& e) override
    {
        // The runner outlives the thread (its destructor joins), so the pointer stays valid here.
        QMetaObject::invokeMethod(runner_, [r = runner_, e] { Q_EMIT r->event(e); }, Qt::QueuedConnection);
    }

private:
    JobRunner* runner_;
};

} // namespace

JobRunner::JobRunner(QObject* parent) : QObject(parent)
{
    qRegisterMetaType<phinet::ExperimentEvent>();
}

JobRunner::~JobRunner()
{
    cancel();
    wait();
}

template <typename F>
bool JobRunner::launch(F&& work)
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
        QString message, csv;
        try {
            Forwarder fwd(this);
            auto [wasCancelled, csvPath] = work(fwd, token);
            cancelled = wasCancelled;
            ok = !cancelled;
            csv = QString::fromStdString(csvPath);
        } catch (const Cancelled&) {
            cancelled = true;
        } catch (const std::exception& e) {
            // c10::Error derives from std::exception too: every core failure ends here as a message.
            message = QString::fromStdString(e.what());
            logger()->error("job failed: {}", e.what());
        } catch (...) {
            message = QStringLiteral("unknown error");
        }
        QMetaObject::invokeMethod(
            this,
            [this, ok, cancelled, message, csv] {
                running_ = false;
                Q_EMIT finished(ok, cancelled, message, csv);
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
        return std::make_pair(r.cancelled, r.csvPath.string());
    });
}

bool JobRunner::startSweep(const SweepConfig& config, const QString& outDir)
{
    const std::string out = outDir.toStdString();
    return launch([config, out](ExperimentObserver& obs, CancelToken* token) {
        auto r = runSweep(config, out, &obs, token);
        return std::make_pair(r.cancelled, r.csvPath.string());
    });
}

bool JobRunner::startTask(std::function<std::string(const CancelToken& cancel)> work)
{
    return launch([work = std::move(work)](ExperimentObserver&, CancelToken* token) {
        return std::make_pair(false, work(*token));
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
