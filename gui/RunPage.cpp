#include "RunPage.h"

#include "Charts.h"
#include "Forms.h"
#include "ModelFiles.h"
#include "JobRunner.h"
#include "ResultsView.h"

#include "phinet/common/Log.h"
#include "phinet/report/Results.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <stdexcept>

namespace phinet::gui {
namespace {

/// Where the sizes of the charts and the results table are kept between sessions.
constexpr const char* kSplitterKey = "run/resultsSplitter";

QString eta(double seconds)
{
    if (seconds < 0) return QString();
    const int s = int(seconds + 0.5);
    if (s >= 3600) return QObject::tr("ETA %1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60) return QObject::tr("ETA %1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("ETA %1 s").arg(s);
}

QString stageName(Stage s)
{
    switch (s) {
    case Stage::Build:
        return QObject::tr("Building the models");
    case Stage::TrainOriginal:
        return QObject::tr("Training ORIGINAL (FP32)");
    case Stage::TrainModified:
        return QObject::tr("Training MODIFIED (FP32)");
    case Stage::Ptq:
        return QObject::tr("Post-training quantization");
    case Stage::Qat:
        return QObject::tr("Quantization-aware training");
    case Stage::Measure:
        return QObject::tr("Measuring size and latency");
    case Stage::Report:
        return QObject::tr("Writing the report");
    case Stage::Sweep:
        return QObject::tr("Sweep");
    }
    return QString::fromStdString(toString(s));
}

} // namespace

RunPage::RunPage(QWidget* parent) : QWidget(parent), runner_(new JobRunner(this))
{
    setObjectName(QStringLiteral("runPage"));
    // every translated text is set by retranslate()
    preset_ = new QComboBox(this);
    preset_->setObjectName(QStringLiteral("preset"));
    presetInfo_ = new QLabel(this);
    presetInfo_->setObjectName(QStringLiteral("presetInfo"));
    presetInfo_->setWordWrap(true);
    outDir_ = new QLineEdit(this);
    outDir_->setObjectName(QStringLiteral("outDir"));
    browseButton_ = new QPushButton(this);
    browseButton_->setObjectName(QStringLiteral("browseOutDir"));
    runButton_ = new QPushButton(this);
    runButton_->setObjectName(QStringLiteral("runButton"));
    runButton_->setDefault(true);
    cancelButton_ = new QPushButton(this);
    cancelButton_->setObjectName(QStringLiteral("cancelButton"));
    cancelButton_->setEnabled(false);
    exportButton_ = new QPushButton(this);
    exportButton_->setObjectName(QStringLiteral("exportButton"));
    exportButton_->setEnabled(false);
    exportFolderButton_ = new QPushButton(this);
    exportFolderButton_->setObjectName(QStringLiteral("exportFolderButton"));
    exportFolderButton_->setEnabled(false);
    exportModelButton_ = new QPushButton(this);
    exportModelButton_->setObjectName(QStringLiteral("exportModelButton"));
    exportModelButton_->setEnabled(false);
    savePresetButton_ = new QPushButton(this);
    savePresetButton_->setObjectName(QStringLiteral("savePresetButton"));
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("progress"));
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    stage_ = new QLabel(this);
    stage_->setObjectName(QStringLiteral("stage"));
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);

    // The sweep box: shown for sweep presets.
    sweepBox_ = new QGroupBox(this);
    sweepBox_->setObjectName(QStringLiteral("sweepBox"));
    sweepKnob_ = new QComboBox(sweepBox_);
    sweepKnob_->setObjectName(QStringLiteral("sweepKnob"));
    for (const char* knob : {"num_layers", "alpha", "beta", "t0"})
        sweepKnob_->addItem(QString(), QString::fromLatin1(knob));
    sweepValues_ = new QLineEdit(sweepBox_);
    sweepValues_->setObjectName(QStringLiteral("sweepValues"));
    sweepTrainBatches_ = new QSpinBox(sweepBox_);
    sweepTrainBatches_->setObjectName(QStringLiteral("sweepTrainBatches"));
    sweepTrainBatches_->setRange(0, 1000000);
    sweepInt8_ = new QCheckBox(sweepBox_);
    sweepInt8_->setObjectName(QStringLiteral("sweepInt8"));
    sweepLatency_ = new QCheckBox(sweepBox_);
    sweepLatency_->setObjectName(QStringLiteral("sweepLatency"));
    knobLabel_ = new QLabel(sweepBox_);
    valuesLabel_ = new QLabel(sweepBox_);
    trainBatchesLabel_ = new QLabel(sweepBox_);
    auto* sweepForm = new QHBoxLayout(sweepBox_);
    sweepForm->addWidget(knobLabel_);
    sweepForm->addWidget(sweepKnob_);
    sweepForm->addWidget(valuesLabel_);
    sweepForm->addWidget(sweepValues_, 1);
    sweepForm->addWidget(trainBatchesLabel_);
    sweepForm->addWidget(sweepTrainBatches_);
    sweepForm->addWidget(sweepLatency_);
    sweepForm->addWidget(sweepInt8_);
    sweepBox_->setVisible(false);
    connect(sweepKnob_, &QComboBox::currentIndexChanged, this, &RunPage::updatePresetState);
    connect(sweepValues_, &QLineEdit::textChanged, this, &RunPage::updatePresetState);
    connect(sweepTrainBatches_, &QSpinBox::valueChanged, this, &RunPage::updatePresetState);
    connect(sweepInt8_, &QCheckBox::toggled, this, &RunPage::updatePresetState);
    connect(sweepLatency_, &QCheckBox::toggled, this, &RunPage::updatePresetState);

    presetLabel_ = new QLabel(this);
    outDirLabel_ = new QLabel(this);
    auto* top = new QGridLayout;
    top->addWidget(presetLabel_, 0, 0);
    top->addWidget(preset_, 0, 1);
    top->addWidget(runButton_, 0, 2);
    top->addWidget(cancelButton_, 0, 3);
    top->addWidget(savePresetButton_, 0, 4);
    top->addWidget(outDirLabel_, 1, 0);
    top->addWidget(outDir_, 1, 1);
    top->addWidget(browseButton_, 1, 2);
    top->addWidget(exportButton_, 1, 3);
    top->addWidget(exportFolderButton_, 1, 4);
    top->addWidget(exportModelButton_, 1, 5);
    top->addWidget(presetInfo_, 2, 0, 1, 6);
    plan_ = new QLabel(this);
    plan_->setObjectName(QStringLiteral("stagePlan"));
    plan_->setWordWrap(true);
    top->addWidget(plan_, 3, 0, 1, 6);
    givenWeights_ = new QLabel(this);
    givenWeights_->setObjectName(QStringLiteral("givenWeights"));
    givenWeights_->setWordWrap(true);
    givenWeights_->setVisible(false);
    forgetWeightsButton_ = new QPushButton(this);
    forgetWeightsButton_->setObjectName(QStringLiteral("forgetWeights"));
    forgetWeightsButton_->setVisible(false);
    connect(forgetWeightsButton_, &QPushButton::clicked, this, &RunPage::forgetGivenWeightsRequested);
    top->addWidget(givenWeights_, 4, 0, 1, 5);
    top->addWidget(forgetWeightsButton_, 4, 5);
    planTimer_ = new QTimer(this);
    planTimer_->setSingleShot(true);
    planTimer_->setInterval(300);
    connect(planTimer_, &QTimer::timeout, this, &RunPage::updatePlan);
    connect(outDir_, &QLineEdit::textChanged, planTimer_, qOverload<>(&QTimer::start));
    top->setColumnStretch(1, 1);

    auto* bar = new QHBoxLayout;
    bar->addWidget(stage_, 1);
    bar->addWidget(progress_, 2);

    view_ = new ResultsView(this);
    manifest_ = new QPlainTextEdit(view_);
    manifest_->setObjectName(QStringLiteral("runManifest"));
    manifest_->setReadOnly(true);
    manifest_->setFont(QFont(QStringLiteral("monospace"), 8));
    view_->addTab(manifest_, QString());
    table_ = new QTableWidget(this);
    table_->setObjectName(QStringLiteral("resultsTable"));
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    fillResultsTable(table_, {});

    // The charts over the results table; the user gives either room, and the choice is kept.
    split_ = new QSplitter(Qt::Vertical, this);
    split_->setObjectName(QStringLiteral("resultsSplitter"));
    split_->addWidget(view_);
    split_->addWidget(table_);
    split_->setStretchFactor(0, 1);
    split_->setStretchFactor(1, 0);
    split_->setChildrenCollapsible(false);
    splitSized_ = split_->restoreState(QSettings().value(QLatin1String(kSplitterKey)).toByteArray());
    connect(split_, &QSplitter::splitterMoved, this,
            [this] { QSettings().setValue(QLatin1String(kSplitterKey), split_->saveState()); });

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(sweepBox_);
    layout->addLayout(bar);
    layout->addWidget(status_);
    layout->addWidget(split_, 1);

    connect(preset_, &QComboBox::currentIndexChanged, this, &RunPage::onPresetChosen);
    connect(browseButton_, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"), outDir_->text());
        if (!d.isEmpty()) setOutputDir(d);
    });
    connect(runButton_, &QPushButton::clicked, this, &RunPage::run);
    connect(cancelButton_, &QPushButton::clicked, this, &RunPage::cancel);
    connect(exportButton_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Export results"), outDir_->text() + QStringLiteral("/results.csv"), tr("CSV files (*.csv)"));
        if (!path.isEmpty()) exportCsv(path);
    });
    connect(exportFolderButton_, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Export the run into a folder"), outDir_->text());
        if (!d.isEmpty()) exportFolder(d);
    });
    connect(exportModelButton_, &QPushButton::clicked, this, [this] {
        if (const QString f = selectedModelFile(); !f.isEmpty()) Q_EMIT exportModelRequested(f);
    });
    // a row whose model file is on disk can be exported
    connect(table_, &QTableWidget::itemSelectionChanged, this,
            [this] { exportModelButton_->setEnabled(!runner_->isRunning() && !selectedModelFile().isEmpty()); });
    connect(savePresetButton_, &QPushButton::clicked, this, &RunPage::askSavePreset);
    connect(runner_, &JobRunner::event, this, &RunPage::onEvent);
    connect(runner_, &JobRunner::finished, this, &RunPage::onFinished);
    showStage([] { return tr("Ready: pick a preset and press Run."); });
    retranslate();
    reloadPresets();
}

void RunPage::retranslate()
{
    preset_->setToolTip(tr("A preset fills every settings area; edit them there, then Run"));
    for (int i = 0; i < preset_->count() && i < int(presets_.size()); ++i)
        preset_->setItemText(i, presetText(presets_[std::size_t(i)]));
    outDir_->setToolTip(tr("Checkpoints, INT8 models and reports go here; a run into a folder holding an earlier "
                           "run reuses every stage whose settings are unchanged"));
    presetLabel_->setText(tr("Preset:"));
    outDirLabel_->setText(tr("Output folder:"));
    browseButton_->setText(tr("Browse..."));
    runButton_->setText(tr("Run"));
    cancelButton_->setText(tr("Cancel"));
    exportButton_->setText(tr("Export CSV..."));
    exportFolderButton_->setText(tr("Export folder..."));
    exportFolderButton_->setToolTip(tr("The whole run: results.csv, results.json, config.json and every chart as PNG"));
    exportModelButton_->setText(tr("Export model..."));
    forgetWeightsButton_->setText(tr("Train again"));
    forgetWeightsButton_->setToolTip(tr("Forget the opened weights: Run trains the network again"));
    exportModelButton_->setToolTip(tr("The selected row's model as ONNX (FP32 or INT8 QDQ) or micromind safetensors"));
    savePresetButton_->setText(tr("Save as preset..."));
    savePresetButton_->setToolTip(tr("Save the settings of every area as a preset of your own"));

    sweepBox_->setTitle(tr("Sweep"));
    sweepKnob_->setItemText(sweepKnob_->findData(QStringLiteral("num_layers")), tr("number of blocks N"));
    sweepKnob_->setItemText(sweepKnob_->findData(QStringLiteral("alpha")), tr("width multiplier alpha"));
    sweepKnob_->setItemText(sweepKnob_->findData(QStringLiteral("beta")), tr("shape factor beta"));
    sweepKnob_->setItemText(sweepKnob_->findData(QStringLiteral("t0")), tr("base expansion t0"));
    setFieldToolTip(sweepValues_, tr("Comma-separated values of the knob"));
    sweepTrainBatches_->setSpecialValueText(tr("no training"));
    setFieldToolTip(sweepTrainBatches_,
                    tr("Train each point for this many batches and report its accuracy (0: no accuracy)"));
    sweepInt8_->setText(tr("INT8 size and latency"));
    sweepLatency_->setText(tr("Latency"));
    knobLabel_->setText(tr("Knob:"));
    valuesLabel_->setText(tr("Values:"));
    trainBatchesLabel_->setText(tr("Train batches:"));

    manifest_->setPlaceholderText(
        tr("The reproducibility manifest (versions, CPU, engine, threads, seed, date, the whole "
           "configuration) appears here when a run has finished."));
    view_->setTabText(view_->indexOf(manifest_), tr("Manifest"));
}

void RunPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        // the texts made from the run's state, made again in the new language
        fillResultsTable(table_, results());
        if (stageText_) stage_->setText(stageText_());
        if (statusText_) status_->setText(statusText_());
        if (presets_.empty())
            presetInfo_->setText(tr("No presets found."));
        else
            updatePresetState(); // also the stage plan, shortly
    }
    QWidget::changeEvent(event);
}

void RunPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (splitSized_) return;
    // First shown with no size kept from an earlier session: the table gets room for five rows (with
    // its header and a horizontal scroll bar), the charts the rest.
    splitSized_ = true;
    layout()->activate();
    const int total = split_->height() - split_->handleWidth();
    const int rows = 5 * table_->verticalHeader()->defaultSectionSize();
    const int want = rows + table_->horizontalHeader()->sizeHint().height() +
                     table_->horizontalScrollBar()->sizeHint().height() + 2 * table_->frameWidth() + 2;
    const int chartsMin = view_->minimumSizeHint().height();
    const int tableHeight = std::max(std::min(want, total - chartsMin), std::min(want, total / 2));
    split_->setSizes({total - tableHeight, tableHeight});
}

void RunPage::showStage(std::function<QString()> text)
{
    stageText_ = std::move(text);
    stage_->setText(stageText_ ? stageText_() : QString());
}

void RunPage::showStatus(std::function<QString()> text)
{
    statusText_ = std::move(text);
    status_->setText(statusText_ ? statusText_() : QString());
}

QString RunPage::presetText(const Preset& p)
{
    return QString::fromStdString(p.name) + (p.sweep ? tr(" (sweep)") : QString());
}

RunPage::~RunPage() = default;

LineChart* RunPage::lossChart() const
{
    return view_->lossChart();
}
LineChart* RunPage::accuracyChart() const
{
    return view_->accuracyChart();
}
BarChart* RunPage::sizeChart() const
{
    return view_->sizeChart();
}
BarChart* RunPage::latencyChart() const
{
    return view_->latencyChart();
}
const std::vector<ModelResult>& RunPage::results() const
{
    return view_->results();
}

void RunPage::reloadPresets()
{
    const QString keep = presetName();
    presets_.clear();
    {
        const QSignalBlocker block(preset_);
        preset_->clear();
        // A broken file is skipped and named here (and in the log); the others stay usable.
        std::vector<std::string> problems;
        try {
            presets_ = listPresets(&problems);
        } catch (const std::exception& e) {
            problems.push_back(e.what());
        }
        if (!problems.empty()) {
            QStringList lines;
            for (const auto& m : problems)
                lines << QString::fromStdString(m);
            const QString list = lines.join(QLatin1Char('\n'));
            showStatus([list] { return tr("Presets could not be read: %1").arg(list); });
        }
        for (const auto& p : presets_)
            preset_->addItem(presetText(p), QString::fromStdString(p.name));
    }
    // the working default: the quick study, a minute on the bundled data
    if (!selectPreset(keep.isEmpty() ? QStringLiteral("quick") : keep) && !presets_.empty()) onPresetChosen(0);
    if (presets_.empty()) presetInfo_->setText(tr("No presets found."));
    Q_EMIT presetsChanged();
}

bool RunPage::selectPreset(const QString& name)
{
    const int i = preset_->findData(name);
    if (i < 0) return false;
    if (preset_->currentIndex() == i)
        onPresetChosen(i); // reload its settings
    else
        preset_->setCurrentIndex(i);
    return true;
}

QString RunPage::presetName() const
{
    return preset_->currentData().toString();
}

std::optional<Preset> RunPage::preset() const
{
    const int i = preset_->currentIndex();
    if (i < 0 || i >= int(presets_.size())) return std::nullopt;
    return presets_[std::size_t(i)];
}

void RunPage::onPresetChosen(int i)
{
    if (i < 0 || i >= int(presets_.size())) return;
    const auto& p = presets_[std::size_t(i)];
    updatePresetState();
    setOutputDir(QString::fromStdString(defaultRunDir(p.name).string()));
    sweepBox_->setVisible(p.sweep.has_value());
    if (p.sweep) {
        const int k = sweepKnob_->findData(QString::fromStdString(p.sweep->knob));
        if (k >= 0) sweepKnob_->setCurrentIndex(k);
        QStringList values;
        for (double v : p.sweep->values)
            values << QString::number(v, 'g', 6);
        sweepValues_->setText(values.join(QStringLiteral(", ")));
        sweepTrainBatches_->setValue(p.sweep->trainBatches);
        sweepInt8_->setChecked(p.sweep->measureInt8);
        sweepLatency_->setChecked(p.sweep->measureLatency);
    }
    Q_EMIT presetSelected(p);
}

bool RunPage::settingsEdited() const
{
    const auto p = preset();
    if (!p) return false;
    if (p->study) return toJson(*currentStudy()) != toJson(*p->study);
    if (p->sweep) return toJson(*currentSweep()) != toJson(*p->sweep);
    return false;
}

void RunPage::updatePresetState()
{
    const auto p = preset();
    if (!p) return;
    QString text = QString::fromStdString(p->description).toHtmlEscaped();
    if (settingsEdited())
        text += QStringLiteral("<br><i>") +
                tr("Edited in the settings areas: Run uses your settings; Save as preset keeps them.") +
                QStringLiteral("</i>");
    presetInfo_->setText(text);
    planTimer_->start();
}

void RunPage::updatePlan()
{
    const auto study = runner_->isRunning() ? std::nullopt : currentStudy();
    if (!study || outputDir().isEmpty() || !study->validate().empty()) {
        plan_->clear();
        return;
    }
    const std::filesystem::path dir = outputDir().toStdString();
    std::error_code ec;
    if (!std::filesystem::exists(dir / "state.json", ec)) {
        plan_->setText(tr("Stages: every stage runs (the output folder holds no earlier run)."));
        return;
    }
    try {
        // reads state.json and hashes the run's model files: small, and only after edits settle
        plan_->setText(tr("Stages: %1").arg(QString::fromStdString(planStudy(*study, dir).summary())));
    } catch (const std::exception& e) {
        plan_->setText(tr("Stages: cannot tell (%1)").arg(QString::fromUtf8(e.what())));
    }
}

std::optional<ExperimentConfig> RunPage::presetStudy() const
{
    auto p = preset();
    if (!p || !p->study) return std::nullopt;
    return p->study;
}

std::optional<ExperimentConfig> RunPage::currentStudy() const
{
    auto cfg = presetStudy();
    if (cfg && studySource_) cfg = studySource_(*cfg);
    return cfg;
}

std::optional<SweepConfig> RunPage::currentSweep() const
{
    auto p = preset();
    if (!p || !p->sweep) return std::nullopt;
    SweepConfig s = sweepSource_ ? sweepSource_(*p->sweep) : *p->sweep;
    s.knob = sweepKnob_->currentData().toString().toStdString();
    s.values.clear();
    for (const auto& part : sweepValues_->text().split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double v = part.trimmed().toDouble(&ok);
        s.values.push_back(ok ? v : std::nan(""));
    }
    s.trainBatches = sweepTrainBatches_->value();
    s.measureInt8 = sweepInt8_->isChecked();
    s.measureLatency = sweepLatency_->isChecked();
    return s;
}

void RunPage::setOutputDir(const QString& dir)
{
    outDir_->setText(dir);
}

QString RunPage::outputDir() const
{
    return outDir_->text();
}

bool RunPage::isRunning() const
{
    return runner_->isRunning();
}

void RunPage::setRunningUi(bool running)
{
    runButton_->setEnabled(!running);
    cancelButton_->setEnabled(running);
    preset_->setEnabled(!running);
    sweepBox_->setEnabled(!running);
    outDir_->setEnabled(!running);
    exportButton_->setEnabled(!running && !results().empty());
    exportFolderButton_->setEnabled(!running && !results().empty());
    exportModelButton_->setEnabled(!running && !selectedModelFile().isEmpty());
}

void RunPage::run()
{
    if (runner_->isRunning()) return;
    const auto p = preset();
    if (!p) {
        showStatus([] { return tr("Choose a preset first."); });
        return;
    }
    for (const auto& f : std::as_const(markedFields_))
        if (f) markField(f, QString());
    markedFields_.clear();
    Problems problems;
    std::optional<ExperimentConfig> study;
    std::optional<SweepConfig> sweep;
    if (p->study) {
        study = currentStudy();
        problems = study->validate();
    } else {
        sweep = currentSweep();
        problems = sweep->validate();
        if (problems.empty()) problems = validateSweepPoints(*sweep); // every point's network, before the first runs
        for (double v : sweep->values)
            if (std::isnan(v))
                problems.insert(
                    problems.begin(),
                    {"sweep.values",
                     tr("\"%1\" holds something that is not a number").arg(sweepValues_->text()).toStdString()});
    }
    if (!problems.empty()) {
        // Every problem's field is marked where it is edited; the status names the first and its area.
        QString where;
        for (const auto& pr : problems) {
            const auto loc = fieldLocator_ ? fieldLocator_(pr.field) : FieldLocation{};
            if (!loc.widget) continue;
            const QString prev = loc.widget->property("invalid").toBool() ? loc.widget->toolTip() : QString();
            const QString text = QString::fromStdString(pr.text());
            markField(loc.widget, prev.isEmpty() ? text : prev + QLatin1Char('\n') + text);
            markedFields_ << loc.widget;
            if (where.isEmpty() && &pr == &problems.front()) where = loc.area;
        }
        // the area's name is asked again on a language switch
        const QString first = QString::fromStdString(problems.front().text());
        const std::string field = where.isEmpty() ? std::string() : problems.front().field;
        showStatus([this, first, field] {
            const QString area = field.empty() || !fieldLocator_ ? QString() : fieldLocator_(field).area;
            return area.isEmpty() ? tr("Cannot run: %1").arg(first)
                                  : tr("Cannot run: %1 (marked in the %2 area)").arg(first, area);
        });
        return;
    }
    view_->clear();
    epochs_.clear();
    fillResultsTable(table_, {});
    showStatus({});
    progress_->setValue(0);
    showStage([] { return tr("Starting..."); });
    if (study) {
        lastConfig_ = toJson(*study);
        view_->setCurrentIndex(0);
        logger()->info("running study {} into {}", study->name, outputDir().toStdString());
        runner_->startStudy(*study, outputDir());
    } else {
        lastConfig_ = toJson(*sweep);
        view_->setCurrentIndex(2);
        logger()->info("running sweep {} into {}", sweep->name, outputDir().toStdString());
        runner_->startSweep(*sweep, outputDir());
    }
    setRunningUi(true);
}

void RunPage::cancel()
{
    if (!runner_->isRunning()) return;
    cancelButton_->setEnabled(false);
    showStage([] { return tr("Cancelling after the current batch..."); });
    runner_->cancel();
}

void RunPage::onEvent(const ExperimentEvent& e)
{
    using T = ExperimentEvent::Type;
    progress_->setValue(int(e.overall * 1000));
    view_->onEvent(e);
    switch (e.type) {
    // texts as functions of the event's values: a language switch makes them again
    case T::StageStarted:
        showStage([stage = e.stage, seconds = e.etaSeconds] {
            return stageName(stage) + (seconds >= 0 ? QStringLiteral("  ") + eta(seconds) : QString());
        });
        break;
    case T::StageFinished:
    case T::StageSkipped:
        if (!e.message.empty())
            showStatus([stage = e.stage, message = QString::fromStdString(e.message)] {
                return stageName(stage) + QStringLiteral(": ") + message;
            });
        break;
    case T::StageFailed:
        showStatus([stage = e.stage, message = QString::fromStdString(e.message)] {
            return tr("%1 failed: %2").arg(stageName(stage), message);
        });
        break;
    case T::Batch:
        showStage([stage = e.stage, b = e.batch, seconds = e.etaSeconds] {
            return tr("%1: epoch %2/%3, batch %4/%5  %6")
                .arg(stageName(stage))
                .arg(b.epoch)
                .arg(b.epochs)
                .arg(b.batch)
                .arg(b.batchesPerEpoch)
                .arg(eta(seconds));
        });
        break;
    case T::ModelMeasured:
        fillResultsTable(table_, results());
        break;
    case T::Epoch:
        epochs_.emplace_back(e.model, e.epoch);
        break;
    case T::Progress:
        if (!e.message.empty())
            showStage([message = QString::fromStdString(e.message), seconds = e.etaSeconds] {
                return message + QStringLiteral("  ") + eta(seconds);
            });
        break;
    default:
        break;
    }
}

void RunPage::onFinished(bool ok, bool cancelled, const QString& message, const QString& csv, const RunReport& report)
{
    setRunningUi(false);
    planTimer_->start();
    // the manifest the run wrote, carried by the runner: shown in its tab and carried by Export folder
    lastManifest_ = report.manifest;
    manifest_->setPlainText(lastManifest_.is_null() ? QString() : QString::fromStdString(lastManifest_.dump(2)));
    if (ok) {
        progress_->setValue(1000);
        showStage([] { return tr("Finished."); });
        showStatus([csv] { return tr("Results written to %1").arg(csv); });
    } else if (cancelled) {
        showStage([] { return tr("Cancelled. Run again with the same output folder to resume."); });
    } else {
        showStage([] { return tr("Failed."); });
        showStatus([message] { return message; });
    }
    Q_EMIT runFinished(ok, cancelled);
}

bool RunPage::exportCsv(const QString& path)
{
    try {
        writeFileAtomic(path.toStdString(), toCsv(results()));
        showStatus([n = results().size(), path] { return tr("Exported %1 rows to %2").arg(n).arg(path); });
        return true;
    } catch (const std::exception& e) {
        showStatus([why = QString::fromUtf8(e.what())] { return tr("Export failed: %1").arg(why); });
        return false;
    }
}

bool RunPage::exportFolder(const QString& dir)
{
    try {
        const auto files = exportRunFolder(dir, results(), epochs_, lastConfig_, lastManifest_, view_);
        showStatus([n = files.size(), dir] { return tr("Exported %1 files to %2").arg(n).arg(dir); });
        return true;
    } catch (const std::exception& e) {
        showStatus([why = QString::fromUtf8(e.what())] { return tr("Export failed: %1").arg(why); });
        return false;
    }
}

void RunPage::askSavePreset()
{
    bool ok = false;
    const QString name = QInputDialog::getText(this, tr("Save as preset"), tr("Preset name:"), QLineEdit::Normal,
                                               presetName() + QStringLiteral("-mine"), &ok);
    if (!ok || name.trimmed().isEmpty()) return;
    const QString description = QInputDialog::getText(this, tr("Save as preset"), tr("Description (optional):"),
                                                      QLineEdit::Normal, QString(), &ok);
    if (ok) savePreset(name.trimmed(), description);
}

bool RunPage::savePreset(const QString& name, const QString& description)
{
    const auto p = preset();
    if (!p) return false;
    Preset out;
    out.name = name.toStdString();
    out.description = description.isEmpty()
                          ? tr("Saved from the workbench, based on %1").arg(presetName()).toStdString()
                          : description.toStdString();
    out.kind = p->kind;
    if (p->study) {
        out.study = currentStudy();
        out.study->name = out.name;
    } else {
        out.sweep = currentSweep();
        out.sweep->name = out.name;
    }
    try {
        const auto path = saveUserPreset(out);
        showStatus([where = QString::fromStdString(path.string())] { return tr("Preset saved to %1").arg(where); });
        logger()->info("preset {} saved to {}", out.name, path.string());
    } catch (const std::exception& e) {
        showStatus([why = QString::fromUtf8(e.what())] { return tr("Could not save the preset: %1").arg(why); });
        return false;
    }
    const QSignalBlocker block(this); // the forms already hold these settings
    presets_.clear();
    reloadPresets();
    const QSignalBlocker block2(preset_);
    const int i = preset_->findData(name);
    if (i >= 0) {
        preset_->setCurrentIndex(i);
        setOutputDir(QString::fromStdString(defaultRunDir(name.toStdString()).string()));
        updatePresetState();
    }
    return i >= 0;
}

QString RunPage::selectedModelFile() const
{
    const auto rows = table_->selectionModel() ? table_->selectionModel()->selectedRows() : QModelIndexList{};
    const int row = rows.isEmpty() ? table_->currentRow() : rows.front().row();
    if (row < 0 || row >= int(results().size())) return {};
    return ModelFiles::modelFileOf(outputDir(), results()[std::size_t(row)]);
}

void RunPage::showGivenWeights(const QString& text)
{
    givenWeights_->setText(text);
    givenWeights_->setVisible(!text.isEmpty());
    forgetWeightsButton_->setVisible(!text.isEmpty());
    updatePlan();
}

QString RunPage::givenWeightsText() const
{
    return givenWeights_->isHidden() ? QString() : givenWeights_->text();
}

} // namespace phinet::gui
