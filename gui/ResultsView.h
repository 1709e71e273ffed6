#pragma once
// Every chart of a run, in tabs: training (loss per batch and per epoch, accuracy per epoch with QAT's
// fake-quant vs converted), size and latency bars, the sweep charts (latency vs params and vs MACs,
// ORIGINAL vs MODIFIED, FP32 vs INT8), the Pareto view (accuracy vs latency, size in the label), the
// per-layer SQNR profile and the confusion matrices FP32 vs INT8. Fed live from experiment events
// (the Run area) or from the run store (the Runs area).

#include "phinet/experiment/Experiment.h"
#include "phinet/report/Report.h"
#include "phinet/report/ResultColumns.h"

#include <QTabWidget>

class QComboBox;
class QLabel;
class QTableWidget;

namespace phinet::gui {

class BarChart;
class ConfusionChart;
class LineChart;

class ResultsView : public QTabWidget {
    Q_OBJECT
public:
    explicit ResultsView(QWidget* parent = nullptr);

    void clear();
    /// Live: batch loss, epoch summaries, QAT epochs and finished rows.
    void onEvent(const ExperimentEvent& e);
    void addEpoch(const QString& model, const EpochSummary& e);
    void addQatEpoch(const QatEpoch& e);
    /// Adds or replaces the row of r.model (sweep rows are keyed by model and point) and redraws.
    void setResult(const ModelResult& r);
    void setResults(const std::vector<ModelResult>& rows);
    const std::vector<ModelResult>& results() const { return results_; }
    /// Class names for the confusion matrices' axes.
    void setClassNames(const QStringList& names);

    /// Saves every chart that holds data as <dir>/<name>.png; returns the files written. An error
    /// (named file) ends it and is returned in `error`.
    QStringList exportCharts(const QString& dir, QString* error);

    LineChart* lossChart() const { return loss_; }
    LineChart* epochLossChart() const { return epochLoss_; }
    LineChart* accuracyChart() const { return accuracy_; }
    BarChart* sizeChart() const { return size_; }
    BarChart* latencyChart() const { return latency_; }
    LineChart* sweepParamsChart() const { return sweepParams_; }
    LineChart* sweepMacsChart() const { return sweepMacs_; }
    LineChart* paretoChart() const { return pareto_; }
    LineChart* sqnrChart() const { return sqnr_; }
    ConfusionChart* confusionFp32() const { return confFp32_; }
    ConfusionChart* confusionInt8() const { return confInt8_; }

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void redrawDerived();
    void redrawConfusion();

    LineChart* loss_;
    LineChart* epochLoss_;
    LineChart* accuracy_;
    BarChart* size_;
    BarChart* latency_;
    LineChart* sweepParams_;
    LineChart* sweepMacs_;
    LineChart* pareto_;
    QLabel* paretoNote_;
    LineChart* sqnr_;
    ConfusionChart* confFp32_;
    ConfusionChart* confInt8_;
    QComboBox* confFp32Model_;
    QComboBox* confInt8Model_;
    std::vector<ModelResult> results_;
    QStringList classNames_;
};

/// A results column's header, translated (the GUI's names for resultColumns()).
QString columnTitle(ResultColumn c);
/// Fills a table with one row per result, a column per resultColumns() entry; columns nothing filled
/// are hidden. Filling it again with the same rows after a language switch translates it.
void fillResultsTable(QTableWidget* table, const std::vector<ModelResult>& rows);
/// Writes a run as a folder (core writeRunFolder: results.csv, results.json, epochs.csv, config.json)
/// and the charts of `view` as PNG under charts/. Returns the files written; throws naming the file.
QStringList exportRunFolder(const QString& dir, const std::vector<ModelResult>& rows, const EpochLog& epochs,
                            const nlohmann::json& config, const nlohmann::json& manifest, ResultsView* view);
/// A row's display name: the model, with the sweep point for sweep rows.
QString rowName(const ModelResult& r);

} // namespace phinet::gui
