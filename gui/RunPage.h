#pragma once
// The Run area: pick a preset (its settings fill the other areas), press Run, watch loss and accuracy
// grow live, then size and latency bars, the sweep, Pareto, SQNR and confusion charts and the results
// table; export the CSV, or the whole run as a folder; save the current settings as a preset.

#include "phinet/experiment/Experiment.h"
#include "phinet/report/Report.h"

#include <QWidget>

#include <QPointer>

#include <functional>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QSplitter;
class QTableWidget;
class QTimer;

namespace phinet::gui {

class BarChart;
class JobRunner;
class LineChart;
struct RunReport;
class ResultsView;

class RunPage : public QWidget {
    Q_OBJECT
public:
    explicit RunPage(QWidget* parent = nullptr);
    ~RunPage() override;

    JobRunner* runner() const { return runner_; }
    bool isRunning() const;
    /// Selects a preset by name; false if unknown.
    bool selectPreset(const QString& name);
    QString presetName() const;
    /// The selected preset as saved.
    std::optional<Preset> preset() const;
    /// The experiment the page would run: the selected study preset with the forms' settings applied.
    std::optional<ExperimentConfig> currentStudy() const;
    /// The selected study preset as saved (no edits applied).
    std::optional<ExperimentConfig> presetStudy() const;
    /// The sweep the page would run (sweep presets): the forms' settings and the sweep box applied.
    std::optional<SweepConfig> currentSweep() const;
    void setOutputDir(const QString& dir);
    QString outputDir() const;
    /// Overlays the settings areas' forms onto a preset's config (set by the main window).
    void setStudySource(std::function<ExperimentConfig(const ExperimentConfig&)> f) { studySource_ = std::move(f); }
    void setSweepSource(std::function<SweepConfig(const SweepConfig&)> f) { sweepSource_ = std::move(f); }
    /// Finds the widget of a validate() field ("quantization.calib_batches") and the name of its area
    /// (set by the main window): Run marks the fields of a config it refuses.
    struct FieldLocation {
        QWidget* widget = nullptr;
        QString area;
    };
    void setFieldLocator(std::function<FieldLocation(const std::string&)> f) { fieldLocator_ = std::move(f); }
    /// Rows shown in the results table.
    const std::vector<ModelResult>& results() const;
    /// Writes the results as CSV (RFC 4180); false with a message in the status line on failure.
    bool exportCsv(const QString& path);
    /// Writes results.csv, results.json, config.json and every chart as PNG into `dir`.
    bool exportFolder(const QString& dir);
    /// Saves the current settings as user preset `name` and selects it; false (message shown) on failure.
    bool savePreset(const QString& name, const QString& description);
    void reloadPresets();
    /// Re-checks whether the settings areas differ from the selected preset and says so under it.
    void updatePresetState();
    /// True when the forms hold settings other than the selected preset's.
    bool settingsEdited() const;

    ResultsView* resultsView() const { return view_; }
    LineChart* lossChart() const;
    LineChart* accuracyChart() const;
    BarChart* sizeChart() const;
    BarChart* latencyChart() const;
    QTableWidget* resultsTable() const { return table_; }
    /// The charts over the results table (objectName "resultsSplitter"; its sizes are kept in QSettings).
    QSplitter* resultsSplitter() const { return split_; }

    /// The model file of the results table's selected row (empty: none, or not on disk).
    QString selectedModelFile() const;
    /// The line about opened weights that replace a training stage (empty hides it).
    void showGivenWeights(const QString& text);
    QString givenWeightsText() const;

public Q_SLOTS:
    void run();
    void cancel();
    /// Asks for a name and description, then savePreset().
    void askSavePreset();

Q_SIGNALS:
    /// The "Train again" button next to the opened weights' line.
    void forgetGivenWeightsRequested();
    /// "Export model..." on a results row: the main window exports that model file.
    void exportModelRequested(const QString& modelFile);
    void runFinished(bool ok, bool cancelled);
    /// A preset was chosen: the main window loads it into the settings areas.
    void presetSelected(const phinet::Preset& preset);
    void presetsChanged();

protected:
    void changeEvent(QEvent* event) override;
    void showEvent(QShowEvent* event) override;

private:
    /// Sets every translated text (constructor, language switch).
    void retranslate();
    /// Shows a stage or status line made by `text`, made again on a language switch.
    void showStage(std::function<QString()> text);
    void showStatus(std::function<QString()> text);
    static QString presetText(const Preset& p);
    void onEvent(const ExperimentEvent& e);
    void onFinished(bool ok, bool cancelled, const QString& message, const QString& csv, const RunReport& report);
    void onPresetChosen(int index);
    void setRunningUi(bool running);
    /// Says which stages a study run into the output folder would reuse and which it would run.
    void updatePlan();

    JobRunner* runner_;
    QComboBox* preset_;
    QLabel* presetLabel_;
    QLabel* presetInfo_;
    QLabel* outDirLabel_;
    QLineEdit* outDir_;
    QPushButton* browseButton_;
    QPushButton* runButton_;
    QPushButton* cancelButton_;
    QPushButton* exportButton_;
    QLabel* givenWeights_;
    QPushButton* forgetWeightsButton_;
    QPushButton* exportModelButton_;
    QPushButton* exportFolderButton_;
    QPushButton* savePresetButton_;
    QGroupBox* sweepBox_;
    QLabel* knobLabel_;
    QLabel* valuesLabel_;
    QLabel* trainBatchesLabel_;
    QComboBox* sweepKnob_;
    QLineEdit* sweepValues_;
    QSpinBox* sweepTrainBatches_;
    QCheckBox* sweepInt8_;
    QCheckBox* sweepLatency_;
    QProgressBar* progress_;
    QLabel* stage_;
    QLabel* status_;
    std::function<QString()> stageText_;  ///< makes stage_'s text (in the current language)
    std::function<QString()> statusText_; ///< makes status_'s text
    QLabel* plan_;
    QTimer* planTimer_; ///< coalesces form and folder edits into one plan computation
    ResultsView* view_;
    QTableWidget* table_;
    QSplitter* split_;
    bool splitSized_ = false; ///< the splitter's sizes are set (kept from a session, or at the first show)
    QPlainTextEdit* manifest_;
    nlohmann::json lastConfig_;   ///< the config of the last run started
    nlohmann::json lastManifest_; ///< the manifest of the last run finished (null: none written)
    EpochLog epochs_;
    std::vector<Preset> presets_;
    std::function<ExperimentConfig(const ExperimentConfig&)> studySource_;
    std::function<SweepConfig(const SweepConfig&)> sweepSource_;
    std::function<FieldLocation(const std::string&)> fieldLocator_;
    QList<QPointer<QWidget>> markedFields_; ///< fields the last refused Run marked
};

} // namespace phinet::gui
