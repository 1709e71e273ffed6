#pragma once
// Runs one core job (a study, a sweep, or any task such as the Data area's preview and import) off
// the GUI thread through the core's observer/cancel contract. Core events arrive as queued signals on
// the GUI thread; exceptions become a failure message; the owner cancels and waits in its destructor.

#include "phinet/common/Cancel.h"
#include "phinet/experiment/Experiment.h"

#include <QObject>
#include <QString>

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace phinet::gui {

/// What a study or sweep hands the GUI when it ends: its rows and the manifest it wrote to
/// results.json. Empty for a task, and for a run that failed before writing its report.
struct RunReport {
    std::vector<ModelResult> rows;
    nlohmann::json manifest; ///< null when none was written
    std::int64_t runId = 0;
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    /// Starts a study into outDir (resuming it if the folder holds the same config). False if a job runs.
    bool startStudy(const ExperimentConfig& config, const QString& outDir);
    /// Starts a sweep into outDir. False if a job runs.
    bool startSweep(const SweepConfig& config, const QString& outDir);
    /// Starts any core work: `work` runs on the job's thread with the job's cancel token, which it
    /// must poll (the core's long steps do); what it returns is finished()'s `result`, and a thrown
    /// Cancelled ends it as cancelled. False if a job runs.
    bool startTask(std::function<std::string(const CancelToken& cancel)> work);
    bool isRunning() const { return running_; }
    /// Asks the job to stop at its next poll of the token; finished() follows.
    void cancel();
    /// Blocks until the job has returned (after cancel(), within about one batch).
    void wait();
    /// Blocks at most `ms` milliseconds for the job's thread to return; true when it has (or none
    /// ran). finished() still arrives through the event loop.
    bool waitFor(int ms);

Q_SIGNALS:
    void started();
    void event(const phinet::ExperimentEvent& e);
    /// ok: completed; cancelled: stopped by cancel(); message: the core's error when !ok && !cancelled;
    /// result: a study's or sweep's CSV file, or what a task returned; report: a study's or sweep's
    /// rows and manifest, carried here so that no one re-reads results.json on the GUI thread.
    void finished(bool ok, bool cancelled, const QString& message, const QString& result,
                  const phinet::gui::RunReport& report);

private:
    template <typename F> bool launch(F&& work);

    std::unique_ptr<CancelToken> cancel_;
    std::thread thread_;
    bool running_ = false;
    // the thread has returned from its work (waitFor() waits on this, not on finished())
    std::mutex doneMutex_;
    std::condition_variable doneChanged_;
    bool threadDone_ = true;
};

} // namespace phinet::gui

Q_DECLARE_METATYPE(phinet::ExperimentEvent)
Q_DECLARE_METATYPE(phinet::gui::RunReport)
