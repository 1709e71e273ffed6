#pragma once
// Runs one core job (a study or a sweep) off the GUI thread through the core's observer/cancel
// contract. Core events arrive as queued signals on the GUI thread; exceptions become a failure
// message; the owner cancels and waits in its destructor.

#include "phinet/common/Cancel.h"
#include "phinet/experiment/Experiment.h"

#include <QObject>
#include <QString>

#include <memory>
#include <thread>

namespace phinet::gui {

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    /// Starts a study into outDir (resuming it if the folder holds the same config). False if a job runs.
    bool startStudy(const ExperimentConfig& config, const QString& outDir);
    /// Starts a sweep into outDir. False if a job runs.
    bool startSweep(const SweepConfig& config, const QString& outDir);
    bool isRunning() const { return running_; }
    /// Asks the job to stop at its next batch; finished() follows.
    void cancel();
    /// Blocks until the job has returned (after cancel(), within about one batch).
    void wait();

Q_SIGNALS:
    void started();
    void event(const phinet::ExperimentEvent& e);
    /// ok: completed; cancelled: stopped by cancel(); message: the core's error when !ok && !cancelled.
    void finished(bool ok, bool cancelled, const QString& message, const QString& csvPath);

private:
    template <typename F>
    bool launch(F&& work);

    std::unique_ptr<CancelToken> cancel_;
    std::thread thread_;
    bool running_ = false;
};

} // namespace phinet::gui

Q_DECLARE_METATYPE(phinet::ExperimentEvent)
