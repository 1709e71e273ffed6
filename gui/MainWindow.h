#pragma once
// The workbench's main window: tabbed areas (Run, Model, Data, Training, Quantization, Benchmark,
// Runs), a docked log pane, menus (presets, export, language). The settings areas' forms are the
// single source of the run's configuration; a preset fills them, and they persist between sessions.

#include "RunPage.h"
#include "phinet/experiment/ExperimentConfig.h"

#include "phinet/export/ModelExport.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QActionGroup;
class QDragEnterEvent;
class QDropEvent;
class QDockWidget;
class QTabWidget;

namespace phinet::gui {

class BenchPage;
class DataPage;
class LogPane;
class ModelFiles;
class ModelPage;
class QuantPage;
class RunPage;
class RunsPage;
class TrainingPage;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    ModelPage* modelPage() const { return modelPage_; }
    RunPage* runPage() const { return runPage_; }
    DataPage* dataPage() const { return dataPage_; }
    TrainingPage* trainingPage() const { return trainingPage_; }
    QuantPage* quantPage() const { return quantPage_; }
    BenchPage* benchPage() const { return benchPage_; }
    RunsPage* runsPage() const { return runsPage_; }
    LogPane* logPane() const { return logPane_; }
    QTabWidget* areas() const { return tabs_; }

    /// Selects a preset (filling every form) and starts it; false if there is no such preset.
    bool startPreset(const QString& name);
    /// Saves a picture of every area (run.png, model.png, data.png, ...) into dir.
    void saveScreenshots(const QString& dir);

    /// The study the forms describe, on top of a preset's config.
    ExperimentConfig applyForms(ExperimentConfig base) const;
    SweepConfig applyForms(SweepConfig base) const;
    /// The widget and area of a validate() field path, for the Run area to mark.
    RunPage::FieldLocation locateField(const std::string& field) const;
    /// Fills every form from a preset.
    void loadPreset(const Preset& p);
    /// Saves the forms and the window to QSettings (also done on close).
    void saveSettings() const;

    /// Switches the language ("" follows the system) and keeps the choice; returns the language in
    /// effect. Nothing is rebuilt: every area translates its texts in place (QEvent::LanguageChange),
    /// so the forms, a run's charts, results and progress stay, also while it runs.
    QString setLanguage(const QString& code);

    /// File > Open model... and a file dropped on the window: reads a model file (the workbench's
    /// FP32 or INT8 file, micromind-named safetensors; a micromind file without a config is read as
    /// the Model area's network). An FP32 file's network fills the Model area (its layer table) and
    /// its weights replace that network's training stage in the next Run (PTQ, QAT, measurements and
    /// export run on them); an INT8 file's network fills the Model area, ready to export. False when
    /// another model file is still being read or written.
    bool openModelFile(const QString& path);
    ModelFiles* modelFiles() const { return modelFiles_; }
    /// The FP32 file whose weights the next Run uses instead of training (empty: none).
    QString givenWeights() const { return given_ ? given_->file : QString(); }
    /// Trains again (drops the opened weights).
    void forgetGivenWeights();

Q_SIGNALS:
    void runFinished();

protected:
    void closeEvent(QCloseEvent* event) override;
    void changeEvent(QEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void onModelOpened(const ModelFileInfo& info);
    /// The Run area's line about the opened weights (made again on a language switch).
    void showGivenWeights();
    void buildAreas();
    /// Sets every translated text of the window: title, areas' tabs, log dock, menus.
    void retranslate();
    void buildMenus();
    void restoreForms();

    QTabWidget* tabs_ = nullptr;
    ModelPage* modelPage_ = nullptr;
    RunPage* runPage_ = nullptr;
    DataPage* dataPage_ = nullptr;
    TrainingPage* trainingPage_ = nullptr;
    QuantPage* quantPage_ = nullptr;
    BenchPage* benchPage_ = nullptr;
    RunsPage* runsPage_ = nullptr;
    LogPane* logPane_ = nullptr;
    QDockWidget* logDock_ = nullptr;
    QActionGroup* languageGroup_ = nullptr;
    ModelFiles* modelFiles_ = nullptr;
    QAction* exportModelAction_ = nullptr;
    struct Given {
        QString file;
        bool original = false; ///< the ORIGINAL network's weights (else MODIFIED's)
    };
    std::optional<Given> given_;
};

} // namespace phinet::gui
