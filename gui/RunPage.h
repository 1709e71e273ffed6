#pragma once
// The Run area: pick a preset, press Run, watch loss and accuracy grow live, then size and latency
// bars for the four models, the results table, and export to CSV.

#include "phinet/experiment/Experiment.h"

#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace phinet::gui {

class BarChart;
class JobRunner;
class LineChart;

class RunPage : public QWidget {
    Q_OBJECT
public:
    explicit RunPage(QWidget* parent = nullptr);
    ~RunPage() override;

    JobRunner* runner() const { return runner_; }
    bool isRunning() const;
    /// Selects a preset by name; false if unknown.
    bool selectPreset(const QString& name);
    /// The experiment the page would run (the selected preset, with the model page's edits if any).
    std::optional<ExperimentConfig> currentStudy() const;
    /// The selected preset as saved (no edits applied).
    std::optional<ExperimentConfig> presetStudy() const;
    void setOutputDir(const QString& dir);
    /// Where the run takes its network from (the Model area's form); nullopt keeps the preset's.
    void setModelSource(std::function<std::optional<PhiNetConfig>()> source) { modelSource_ = std::move(source); }
    QString outputDir() const;
    /// Rows shown in the results table.
    const std::vector<ModelResult>& results() const { return results_; }
    /// Writes the results as CSV (RFC 4180); false with a message in the status line on failure.
    bool exportCsv(const QString& path);

    LineChart* lossChart() const { return loss_; }
    LineChart* accuracyChart() const { return accuracy_; }
    BarChart* sizeChart() const { return size_; }
    BarChart* latencyChart() const { return latency_; }
    QTableWidget* resultsTable() const { return table_; }

public Q_SLOTS:
    void run();
    void cancel();

Q_SIGNALS:
    void runFinished(bool ok, bool cancelled);
    /// A preset was chosen: its network, for the Model area's form.
    void presetModelChanged(const phinet::PhiNetConfig& model);

private:
    void onEvent(const ExperimentEvent& e);
    void onFinished(bool ok, bool cancelled, const QString& message, const QString& csv);
    void showResult(const ModelResult& r);
    void reloadPresets();

    JobRunner* runner_;
    QComboBox* preset_;
    QLabel* presetInfo_;
    QLineEdit* outDir_;
    QPushButton* runButton_;
    QPushButton* cancelButton_;
    QPushButton* exportButton_;
    QProgressBar* progress_;
    QLabel* stage_;
    QLabel* status_;
    LineChart* loss_;
    LineChart* accuracy_;
    BarChart* size_;
    BarChart* latency_;
    QTableWidget* table_;
    std::vector<ModelResult> results_;
    std::vector<Preset> presets_;
    std::function<std::optional<PhiNetConfig>()> modelSource_;
};

} // namespace phinet::gui
