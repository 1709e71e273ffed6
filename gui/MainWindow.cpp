#include "MainWindow.h"

#include "DataPage.h"
#include "JobRunner.h"
#include "LogPane.h"
#include "ModelFiles.h"
#include "ModelPage.h"
#include "RunPage.h"
#include "ResultsView.h"
#include "RunsPage.h"
#include "SettingsPages.h"
#include "Translations.h"

#include "phinet/common/Files.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <QAction>
#include <QMimeData>
#include <QFileDialog>
#include <QDropEvent>
#include <QDragEnterEvent>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QEvent>
#include <QHash>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QEventLoop>
#include <QTimer>
#include <QUrl>

#include <optional>

namespace phinet::gui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent)
{
    setObjectName(QStringLiteral("mainWindow"));
    // A field a refused configuration names (Run, Model area) gets a red frame.
    setStyleSheet(QStringLiteral("*[invalid=\"true\"] { border: 2px solid #d9534f; border-radius: 3px; }"));
    logPane_ = new LogPane(this);
    logDock_ = new QDockWidget(this);
    logDock_->setObjectName(QStringLiteral("logDock"));
    logDock_->setWidget(logPane_);
    addDockWidget(Qt::BottomDockWidgetArea, logDock_);
    addLogSink(logPane_->sink());
    resizeDocks({logDock_}, {170}, Qt::Vertical);

    modelFiles_ = new ModelFiles(this);
    connect(modelFiles_, &ModelFiles::opened, this, &MainWindow::onModelOpened);
    connect(modelFiles_, &ModelFiles::exported, this, [this](const QString& path, const QString& summary) {
        statusBar()->showMessage(tr("Exported %1 (%2)").arg(path, summary), 15000);
        logger()->info("exported {} ({})", path.toStdString(), summary.toStdString());
    });
    connect(modelFiles_, &ModelFiles::failed, this, [this](const QString& message) {
        statusBar()->showMessage(message, 15000);
        QMessageBox::warning(this, tr("Model file"), message);
    });
    setAcceptDrops(true);
    buildAreas();
    retranslate();
    if (auto p = runPage_->preset()) loadPreset(*p);
    restoreForms();
    resize(1280, 860);
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    logger()->info("workbench started (language: {})", currentLanguage().toStdString());
}

MainWindow::~MainWindow() = default;

void MainWindow::buildAreas()
{
    // built once: on a language switch every area retranslates itself (retranslate(), changeEvent())
    tabs_ = new QTabWidget(this);
    tabs_->setObjectName(QStringLiteral("areas"));
    runPage_ = new RunPage(tabs_);
    modelPage_ = new ModelPage(tabs_);
    dataPage_ = new DataPage(tabs_);
    trainingPage_ = new TrainingPage(tabs_);
    quantPage_ = new QuantPage(tabs_);
    benchPage_ = new BenchPage(tabs_);
    runsPage_ = new RunsPage(tabs_);
    for (QWidget* page : std::initializer_list<QWidget*>{runPage_, modelPage_, dataPage_, trainingPage_, quantPage_,
                                                         benchPage_, runsPage_})
        tabs_->addTab(page, QString());
    setCentralWidget(tabs_);

    // The forms are the run's configuration; a preset fills them.
    runPage_->setStudySource([this](const ExperimentConfig& base) { return applyForms(base); });
    runPage_->setFieldLocator([this](const std::string& field) { return locateField(field); });
    runPage_->setSweepSource([this](const SweepConfig& base) { return applyForms(base); });
    connect(runPage_, &RunPage::presetSelected, this, &MainWindow::loadPreset);
    connect(runPage_, &RunPage::exportModelRequested, modelFiles_, &ModelFiles::exportWithDialog);
    connect(runsPage_, &RunsPage::exportModelRequested, modelFiles_, &ModelFiles::exportWithDialog);
    connect(runPage_, &RunPage::forgetGivenWeightsRequested, this, &MainWindow::forgetGivenWeights);
    connect(runPage_, &RunPage::runFinished, this, [this](bool, bool) {
        runsPage_->refresh(true);
        Q_EMIT runFinished();
    });
    // the Data area refuses to import or download into the folder a run reads
    connect(runPage_->runner(), &JobRunner::started, dataPage_, [d = dataPage_] { d->setRunInProgress(true); });
    connect(runPage_->runner(), &JobRunner::finished, dataPage_, [d = dataPage_] { d->setRunInProgress(false); });
    connect(modelPage_, &ModelPage::configChanged, this, [this] {
        if (const auto& s = modelPage_->summary())
            statusBar()->showMessage(tr("%1 params, %2 MACs")
                                         .arg(QString::fromStdString(withThousands(s->params)),
                                              QString::fromStdString(withThousands(s->macs))));
        else
            statusBar()->showMessage(tr("Invalid model configuration: see the flagged fields"));
    });
    // every edit in a settings area: the Run area says whether the preset was changed
    connect(modelPage_, &ModelPage::configChanged, runPage_, &RunPage::updatePresetState);
    connect(dataPage_, &DataPage::changed, runPage_, &RunPage::updatePresetState);
    connect(trainingPage_, &TrainingPage::changed, runPage_, &RunPage::updatePresetState);
    connect(quantPage_, &QuantPage::changed, runPage_, &RunPage::updatePresetState);
    connect(benchPage_, &BenchPage::changed, runPage_, &RunPage::updatePresetState);
}

void MainWindow::retranslate()
{
    setWindowTitle(tr("PhiNet Quantization Workbench"));
    logDock_->setWindowTitle(tr("Log"));
    tabs_->setTabText(tabs_->indexOf(runPage_), tr("Run"));
    tabs_->setTabText(tabs_->indexOf(modelPage_), tr("Model"));
    tabs_->setTabText(tabs_->indexOf(dataPage_), tr("Data"));
    tabs_->setTabText(tabs_->indexOf(trainingPage_), tr("Training"));
    tabs_->setTabText(tabs_->indexOf(quantPage_), tr("Quantization"));
    tabs_->setTabText(tabs_->indexOf(benchPage_), tr("Benchmark"));
    tabs_->setTabText(tabs_->indexOf(runsPage_), tr("Runs"));
    buildMenus();
    showGivenWeights();
}

bool MainWindow::openModelFile(const QString& path)
{
    logger()->info("opening model file {}", path.toStdString());
    return modelFiles_->open(path, modelPage_->config(), dataPage_->config());
}

void MainWindow::onModelOpened(const ModelFileInfo& info)
{
    const QString file = QString::fromStdString(info.path.string());
    modelPage_->setConfig(info.config);               // its layer table, MACs, memory and board fit
    if (info.data.kind != dataPage_->config().kind) { // the data set it was trained on
        DataConfig d = dataPage_->config();
        d.kind = info.data.kind;
        d.mean = info.data.mean;
        d.std = info.data.std;
        dataPage_->setConfig(d);
    }
    if (exportModelAction_) exportModelAction_->setEnabled(true);
    if (info.type == ModelFileType::WorkbenchInt8) {
        statusBar()->showMessage(
            tr("Opened the INT8 model %1: its network is in the Model area; File > Export model... writes it as "
               "INT8 ONNX")
                .arg(file),
            15000);
        return;
    }
    given_ = Given{file, info.config.variant == Variant::Original};
    showGivenWeights();
    runPage_->updatePresetState();
    statusBar()->showMessage(tr("Opened %1: Run evaluates these weights instead of training the %2 network")
                                 .arg(file, given_->original ? tr("ORIGINAL") : tr("MODIFIED")),
                             15000);
}

void MainWindow::forgetGivenWeights()
{
    given_.reset();
    showGivenWeights();
    runPage_->updatePresetState();
}

void MainWindow::showGivenWeights()
{
    if (!runPage_) return;
    runPage_->showGivenWeights(
        given_ ? tr("Weights: %1 (the %2 network is evaluated, not trained; PTQ, QAT and the measurements use them)")
                     .arg(given_->file, given_->original ? tr("ORIGINAL") : tr("MODIFIED"))
               : QString());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.front().isLocalFile() && ModelFiles::isModelFile(urls.front().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const auto urls = event->mimeData()->urls();
    if (urls.size() != 1 || !urls.front().isLocalFile()) return;
    if (openModelFile(urls.front().toLocalFile())) event->acceptProposedAction();
}

void MainWindow::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QMainWindow::changeEvent(event);
}

RunPage::FieldLocation MainWindow::locateField(const std::string& field) const
{
    // Paths as validate() writes them: "<section>.<key>", the key being the widget's object name.
    const auto under = [&](const char* prefix) -> std::optional<QString> {
        const std::string p(prefix);
        if (field.rfind(p, 0) != 0) return std::nullopt;
        auto key = field.substr(p.size());
        key = key.substr(0, key.find_first_of(".[")); // data.image_size[0] -> image_size
        return QString::fromStdString(key);
    };
    const auto in = [](QWidget* page, const QString& key) { return page->findChild<QWidget*>(key); };
    if (auto k = under("model.")) return {modelPage_->fieldFor(k->toStdString()), tr("Model")};
    if (auto k = under("sweep.base.")) return {modelPage_->fieldFor(k->toStdString()), tr("Model")};
    if (field == "modified_divisor") return {modelPage_->fieldFor("divisor"), tr("Model")};
    if (auto k = under("data.")) return {in(dataPage_, *k), tr("Data")};
    if (auto k = under("training_original.")) return {in(trainingPage_->originalForm(), *k), tr("Training")};
    if (auto k = under("training_modified.")) return {in(trainingPage_->modifiedForm(), *k), tr("Training")};
    if (auto k = under("stages.")) return {in(trainingPage_, QStringLiteral("stage_") + *k), tr("Training")};
    if (auto k = under("quantization.")) return {in(quantPage_, *k), tr("Quantization")};
    if (auto k = under("bench.")) return {in(benchPage_, *k), tr("Benchmark")};
    if (auto k = under("sweep.bench.")) return {in(benchPage_, *k), tr("Benchmark")};
    if (auto k = under("sweep.")) {
        static const QHash<QString, QString> runWidgets{
            {QStringLiteral("values"), QStringLiteral("sweepValues")},
            {QStringLiteral("knob"), QStringLiteral("sweepKnob")},
            {QStringLiteral("train_batches"), QStringLiteral("sweepTrainBatches")}};
        if (runWidgets.contains(*k)) return {in(runPage_, runWidgets.value(*k)), tr("Run")};
    }
    return {};
}

ExperimentConfig MainWindow::applyForms(ExperimentConfig cfg) const
{
    if (modelPage_->isValid()) {
        // The form shows the MODIFIED network; the study derives both variants from one base network.
        const auto m = modelPage_->config();
        const auto baseVariant = cfg.model.variant;
        const auto baseDivisor = cfg.model.divisor;
        cfg.model = m;
        if (m.variant == Variant::Modified) cfg.modifiedDivisor = m.divisor;
        cfg.model.variant = baseVariant;
        cfg.model.divisor = baseDivisor;
    }
    cfg.data = dataPage_->config();
    cfg.trainOriginal = trainingPage_->original();
    cfg.trainModified = trainingPage_->modified();
    cfg.stages = trainingPage_->stages();
    cfg.quant = quantPage_->config();
    cfg.bench = benchPage_->config();
    if (given_) { // the opened weights replace that network's training
        (given_->original ? cfg.weights.original : cfg.weights.modified) = given_->file.toStdString();
        (given_->original ? cfg.stages.trainOriginal : cfg.stages.trainModified) = true;
    }
    return cfg;
}

SweepConfig MainWindow::applyForms(SweepConfig cfg) const
{
    if (modelPage_->isValid()) cfg.base = modelPage_->config();
    cfg.data = dataPage_->config();
    cfg.bench = benchPage_->config();
    // the Model area's board: the sweep marks the points that fit it
    cfg.target = modelPage_->targetName().toStdString();
    cfg.reserve = modelPage_->reserve();
    return cfg;
}

void MainWindow::loadPreset(const Preset& p)
{
    if (p.study) {
        modelPage_->setConfig(p.study->modifiedModel());
        dataPage_->setConfig(p.study->data);
        trainingPage_->setConfig(p.study->trainOriginal, p.study->trainModified, p.study->stages);
        quantPage_->setConfig(p.study->quant);
        benchPage_->setConfig(p.study->bench);
    } else if (p.sweep) {
        modelPage_->setConfig(p.sweep->base);
        dataPage_->setConfig(p.sweep->data);
        benchPage_->setConfig(p.sweep->bench);
    }
    for (QWidget* w : std::initializer_list<QWidget*>{trainingPage_, quantPage_})
        w->setEnabled(p.study.has_value());
    statusBar()->showMessage(tr("Preset %1 loaded into the forms").arg(QString::fromStdString(p.name)), 5000);
    runPage_->updatePresetState();
}

void MainWindow::saveSettings() const
{
    QSettings s;
    s.setValue(QStringLiteral("forms/preset"), runPage_->presetName());
    if (auto study = runPage_->currentStudy()) {
        s.setValue(QStringLiteral("forms/kind"), QStringLiteral("study"));
        s.setValue(QStringLiteral("forms/config"), QString::fromStdString(toJson(*study).dump()));
    } else if (auto sweep = runPage_->currentSweep()) {
        s.setValue(QStringLiteral("forms/kind"), QStringLiteral("sweep"));
        s.setValue(QStringLiteral("forms/config"), QString::fromStdString(toJson(*sweep).dump()));
    }
    s.setValue(QStringLiteral("forms/outDir"), runPage_->outputDir());
    s.setValue(QStringLiteral("areas/current"), tabs_->currentIndex());
}

void MainWindow::restoreForms()
{
    QSettings s;
    const QString preset = s.value(QStringLiteral("forms/preset")).toString();
    if (preset.isEmpty() || !runPage_->selectPreset(preset)) return;
    const QString kind = s.value(QStringLiteral("forms/kind")).toString();
    const std::string text = s.value(QStringLiteral("forms/config")).toString().toStdString();
    try {
        const auto j = parseJsonBounded(text, "the saved settings");
        if (kind == QLatin1String("study") && runPage_->presetStudy()) {
            Preset p;
            p.name = preset.toStdString();
            p.study = experimentConfigFromJson(j);
            loadPreset(p);
        } else if (kind == QLatin1String("sweep") && runPage_->currentSweep()) {
            Preset p;
            p.name = preset.toStdString();
            p.sweep = sweepConfigFromJson(j);
            loadPreset(p);
        }
    } catch (const std::exception& e) {
        logger()->warn("the saved settings could not be restored ({}); using the preset's", e.what());
    }
    const QString out = s.value(QStringLiteral("forms/outDir")).toString();
    if (!out.isEmpty()) runPage_->setOutputDir(out);
    tabs_->setCurrentIndex(s.value(QStringLiteral("areas/current"), 0).toInt());
}

bool MainWindow::startPreset(const QString& name)
{
    if (!runPage_->selectPreset(name)) return false;
    tabs_->setCurrentWidget(runPage_);
    runPage_->run();
    return true;
}

void MainWindow::saveScreenshots(const QString& dir)
{
    QDir().mkpath(dir);
    const int keep = tabs_->currentIndex();
    auto settle = [] {
        for (int k = 0; k < 5; ++k)
            QApplication::processEvents();
    };
    for (int i = 0; i < tabs_->count(); ++i) {
        tabs_->setCurrentIndex(i);
        settle();
        if (tabs_->widget(i) == dataPage_) { // the sample grid loads in the background
            QEventLoop wait;
            QTimer::singleShot(60000, &wait, &QEventLoop::quit);
            if (dataPage_->isBusy()) {
                connect(dataPage_, &DataPage::previewFinished, &wait, &QEventLoop::quit);
                wait.exec();
            }
            settle();
        }
        const QString name = tabs_->widget(i)->objectName().remove(QStringLiteral("Page")).toLower();
        grab().save(dir + QLatin1Char('/') + name + QStringLiteral(".png"));
        if (tabs_->widget(i) == runPage_) { // and every chart tab of the run
            auto* view = runPage_->resultsView();
            const QStringList names{QString(),
                                    QStringLiteral("size-latency"),
                                    QStringLiteral("sweep"),
                                    QStringLiteral("pareto"),
                                    QStringLiteral("sqnr"),
                                    QStringLiteral("confusion")};
            for (int t = 1; t < view->count() && t < names.size(); ++t) {
                view->setCurrentIndex(t);
                settle();
                grab().save(QStringLiteral("%1/run-%2.png").arg(dir, names[t]));
            }
            view->setCurrentIndex(0);
        }
    }
    tabs_->setCurrentIndex(keep);
}

QString MainWindow::setLanguage(const QString& code)
{
    QSettings().setValue(QStringLiteral("language"), code);
    const QString effective = applyLanguage(code);
    // Qt posts QEvent::LanguageChange to every window; delivered now, the switch is done on return
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LanguageChange);
    logger()->info("language: {}", effective.toStdString());
    return effective;
}

void MainWindow::buildMenus()
{
    // made again on a language switch: drop the old menus and their actions
    for (QAction* a : menuBar()->actions())
        delete a->menu();
    menuBar()->clear();
    delete languageGroup_;
    auto* file = menuBar()->addMenu(tr("&File"));
    auto* open = file->addAction(tr("&Open model..."));
    open->setObjectName(QStringLiteral("openModelAction"));
    open->setShortcut(QKeySequence::Open);
    connect(open, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open model"), QString(), tr("Model files (*.ckpt *.safetensors *.int8);;All files (*)"));
        if (!path.isEmpty()) openModelFile(path);
    });
    exportModelAction_ = file->addAction(tr("&Export model..."));
    exportModelAction_->setObjectName(QStringLiteral("exportModelAction"));
    exportModelAction_->setEnabled(modelFiles_->current().has_value());
    connect(exportModelAction_, &QAction::triggered, this, [this] {
        if (const auto& m = modelFiles_->current())
            modelFiles_->exportWithDialog(QString::fromStdString(m->path.string()));
    });
    file->addSeparator();
    auto* run = file->addAction(tr("&Run"));
    run->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    connect(run, &QAction::triggered, runPage_, &RunPage::run);
    connect(file->addAction(tr("Save settings as &preset...")), &QAction::triggered, runPage_, &RunPage::askSavePreset);
    connect(file->addAction(tr("Open the &data folder")), &QAction::triggered, this,
            [] { QDesktopServices::openUrl(QUrl::fromLocalFile(QString::fromStdString(userDataDir().string()))); });
    file->addSeparator();
    auto* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    auto* view = menuBar()->addMenu(tr("&View"));
    view->addAction(logDock_->toggleViewAction());

    auto* lang = menuBar()->addMenu(tr("&Language"));
    lang->setObjectName(QStringLiteral("languageMenu"));
    languageGroup_ = new QActionGroup(this);
    const QString chosen = QSettings().value(QStringLiteral("language")).toString();
    auto addLanguage = [&](const QString& code, const QString& name) {
        auto* a = lang->addAction(name);
        a->setObjectName(QStringLiteral("language-") + (code.isEmpty() ? QStringLiteral("system") : code));
        a->setCheckable(true);
        a->setChecked(code == chosen);
        a->setData(code);
        languageGroup_->addAction(a);
        // queued: the switch makes the menus again, including the one this action sits in
        connect(
            a, &QAction::triggered, this, [this, code] { setLanguage(code); }, Qt::QueuedConnection);
    };
    addLanguage(QString(), tr("System default"));
    for (const auto& [code, name] : availableLanguages())
        addLanguage(code, name);

    auto* help = menuBar()->addMenu(tr("&Help"));
    connect(help->addAction(tr("&About")), &QAction::triggered, this, [this] {
        QMessageBox::about(
            this, tr("About PhiNet Quantization Workbench"),
            tr("<b>PhiNet Quantization Workbench</b> %1<br>Build PhiNet networks, train them, quantize "
               "them to INT8 and measure what that buys.<br><br>Data folder: %2")
                .arg(QStringLiteral(PHINET_VERSION), QString::fromStdString(userDataDir().string()).toHtmlEscaped()));
    });
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    const bool running = runPage_->isRunning();
    if (running || dataPage_->isChangingData()) {
        const auto answer =
            running
                ? QMessageBox::question(this, tr("A run is in progress"),
                                        tr("Cancel the run and quit? Finished stages are kept; running the same "
                                           "preset into the same folder resumes it."),
                                        QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
                : QMessageBox::question(this, tr("Data are being imported"),
                                        tr("Stop the import or download and quit? The data folder keeps the copy it "
                                           "held before."),
                                        QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
    }
    // Everything running stops: the core polls the cancel token in each long step (batches, data
    // decoding, latency runs), so the jobs return well within the wait. Should one not, the window
    // closes anyway and the program ends when it returns (the runners join in their destructors).
    constexpr int kQuitWaitMs = 1500;
    QElapsedTimer waited;
    waited.start();
    runPage_->runner()->cancel();
    dataPage_->cancelJobs();
    const bool stopped = runPage_->runner()->waitFor(kQuitWaitMs) &&
                         dataPage_->waitForJobs(int(qMax<qint64>(0, kQuitWaitMs - waited.elapsed())));
    if (!stopped)
        logger()->warn("quitting: a job has not stopped within {} ms; the window closes now and the program ends "
                       "when the job returns",
                       kQuitWaitMs);
    saveSettings();
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    event->accept();
}

} // namespace phinet::gui
