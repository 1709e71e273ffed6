#include "RunPage.h"

#include "Charts.h"
#include "JobRunner.h"

#include "phinet/common/Log.h"
#include "phinet/model/LayerTable.h"
#include "phinet/report/Results.h"

#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace phinet::gui {
namespace {

QString eta(double seconds)
{
    if (seconds < 0) return QString();
    const int s = int(seconds + 0.5);
    if (s >= 3600) return QObject::tr("ETA %1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    if (s >= 60) return QObject::tr("ETA %1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("ETA %1 s").arg(s);
}

QString stageName(const std::string& s)
{
    if (s == "build") return QObject::tr("Building the models");
    if (s == "train-original") return QObject::tr("Training ORIGINAL (FP32)");
    if (s == "train-modified") return QObject::tr("Training MODIFIED (FP32)");
    if (s == "ptq") return QObject::tr("Post-training quantization");
    if (s == "qat") return QObject::tr("Quantization-aware training");
    if (s == "measure") return QObject::tr("Measuring size and latency");
    if (s == "report") return QObject::tr("Writing the report");
    return QString::fromStdString(s);
}

} // namespace

RunPage::RunPage(QWidget* parent) : QWidget(parent), runner_(new JobRunner(this))
{
    setObjectName(QStringLiteral("runPage"));
    preset_ = new QComboBox(this);
    preset_->setObjectName(QStringLiteral("preset"));
    presetInfo_ = new QLabel(this);
    presetInfo_->setWordWrap(true);
    outDir_ = new QLineEdit(this);
    outDir_->setObjectName(QStringLiteral("outDir"));
    auto* browse = new QPushButton(tr("Browse..."), this);
    runButton_ = new QPushButton(tr("Run"), this);
    runButton_->setObjectName(QStringLiteral("runButton"));
    runButton_->setDefault(true);
    cancelButton_ = new QPushButton(tr("Cancel"), this);
    cancelButton_->setObjectName(QStringLiteral("cancelButton"));
    cancelButton_->setEnabled(false);
    exportButton_ = new QPushButton(tr("Export CSV..."), this);
    exportButton_->setObjectName(QStringLiteral("exportButton"));
    exportButton_->setEnabled(false);
    progress_ = new QProgressBar(this);
    progress_->setObjectName(QStringLiteral("progress"));
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    stage_ = new QLabel(tr("Ready: pick a preset and press Run."), this);
    stage_->setObjectName(QStringLiteral("stage"));
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);

    auto* top = new QGridLayout;
    top->addWidget(new QLabel(tr("Preset:"), this), 0, 0);
    top->addWidget(preset_, 0, 1);
    top->addWidget(runButton_, 0, 2);
    top->addWidget(cancelButton_, 0, 3);
    top->addWidget(new QLabel(tr("Output folder:"), this), 1, 0);
    top->addWidget(outDir_, 1, 1);
    top->addWidget(browse, 1, 2);
    top->addWidget(exportButton_, 1, 3);
    top->addWidget(presetInfo_, 2, 0, 1, 4);
    top->setColumnStretch(1, 1);

    auto* bar = new QHBoxLayout;
    bar->addWidget(stage_, 1);
    bar->addWidget(progress_, 2);

    loss_ = new LineChart(tr("Training loss"), tr("batch"), tr("loss"), this);
    loss_->setObjectName(QStringLiteral("lossChart"));
    accuracy_ = new LineChart(tr("Test accuracy per epoch"), tr("epoch"), tr("accuracy (%)"), this);
    accuracy_->setObjectName(QStringLiteral("accuracyChart"));
    size_ = new BarChart(tr("Model size"), tr("MiB"), this);
    size_->setObjectName(QStringLiteral("sizeChart"));
    latency_ = new BarChart(tr("CPU latency, batch 1 (median, p90 whisker)"), tr("ms"), this);
    latency_->setObjectName(QStringLiteral("latencyChart"));
    auto* charts = new QGridLayout;
    charts->addWidget(loss_, 0, 0);
    charts->addWidget(accuracy_, 0, 1);
    charts->addWidget(size_, 1, 0);
    charts->addWidget(latency_, 1, 1);
    auto* chartBox = new QWidget(this);
    chartBox->setLayout(charts);

    table_ = new QTableWidget(this);
    table_->setObjectName(QStringLiteral("resultsTable"));
    const QStringList headers{tr("Model"), tr("Variant"), tr("Precision"), tr("Params"), tr("MACs"), tr("Accuracy (%)"),
                              tr("Size (MiB)"), tr("CPU latency (ms)"), tr("p90 (ms)"), tr("GPU latency (ms)"),
                              tr("Train time (s)")};
    table_->setColumnCount(headers.size());
    table_->setHorizontalHeaderLabels(headers);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(chartBox);
    split->addWidget(table_);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(bar);
    layout->addWidget(status_);
    layout->addWidget(split, 1);

    reloadPresets();
    setOutputDir(QString::fromStdString(defaultRunDir(preset_->currentText().toStdString()).string()));

    connect(preset_, &QComboBox::currentIndexChanged, this, [this](int i) {
        if (i >= 0 && i < int(presets_.size())) {
            presetInfo_->setText(QString::fromStdString(presets_[size_t(i)].description));
            setOutputDir(QString::fromStdString(defaultRunDir(presets_[size_t(i)].name).string()));
            Q_EMIT presetModelChanged(presets_[size_t(i)].study->modifiedModel());
        }
    });
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Output folder"), outDir_->text());
        if (!d.isEmpty()) setOutputDir(d);
    });
    connect(runButton_, &QPushButton::clicked, this, &RunPage::run);
    connect(cancelButton_, &QPushButton::clicked, this, &RunPage::cancel);
    connect(exportButton_, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export results"), outDir_->text() + QStringLiteral("/results.csv"),
                                                          tr("CSV files (*.csv)"));
        if (!path.isEmpty()) exportCsv(path);
    });
    connect(runner_, &JobRunner::event, this, &RunPage::onEvent);
    connect(runner_, &JobRunner::finished, this, &RunPage::onFinished);
    presetInfo_->setText(presets_.empty() ? tr("No presets found.") : QString::fromStdString(presets_.front().description));
}

RunPage::~RunPage() = default;

void RunPage::reloadPresets()
{
    presets_.clear();
    preset_->clear();
    try {
        for (auto& p : listPresets())
            if (p.study) presets_.push_back(p);
    } catch (const std::exception& e) {
        status_->setText(tr("Presets could not be read: %1").arg(QString::fromUtf8(e.what())));
    }
    for (const auto& p : presets_) preset_->addItem(QString::fromStdString(p.name));
    selectPreset(QStringLiteral("quick")); // the working default: a minute, on the bundled data
}

bool RunPage::selectPreset(const QString& name)
{
    const int i = preset_->findText(name);
    if (i < 0) return false;
    preset_->setCurrentIndex(i);
    return true;
}

std::optional<ExperimentConfig> RunPage::presetStudy() const
{
    const int i = preset_->currentIndex();
    if (i < 0 || i >= int(presets_.size())) return std::nullopt;
    return presets_[size_t(i)].study;
}

std::optional<ExperimentConfig> RunPage::currentStudy() const
{
    auto cfg = presetStudy();
    if (cfg && modelSource_) {
        if (auto m = modelSource_()) {
            cfg->model = *m;
            if (m->variant == Variant::Modified) cfg->modifiedDivisor = m->divisor;
        }
    }
    return cfg;
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

void RunPage::run()
{
    auto cfg = currentStudy();
    if (runner_->isRunning()) return;
    if (!cfg) {
        status_->setText(tr("Choose a preset first."));
        return;
    }
    if (auto problems = cfg->validate(); !problems.empty()) {
        status_->setText(tr("Cannot run: %1").arg(QString::fromStdString(problems.front())));
        return;
    }
    loss_->clear();
    accuracy_->clear();
    size_->clear();
    latency_->clear();
    table_->setRowCount(0);
    results_.clear();
    status_->clear();
    progress_->setValue(0);
    runButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    exportButton_->setEnabled(false);
    preset_->setEnabled(false);
    stage_->setText(tr("Starting..."));
    logger()->info("running preset {} into {}", cfg->name, outputDir().toStdString());
    runner_->startStudy(*cfg, outputDir());
}

void RunPage::cancel()
{
    if (!runner_->isRunning()) return;
    cancelButton_->setEnabled(false);
    stage_->setText(tr("Cancelling after the current batch..."));
    runner_->cancel();
}

void RunPage::onEvent(const ExperimentEvent& e)
{
    using T = ExperimentEvent::Type;
    progress_->setValue(int(e.overall * 1000));
    const QString model = QString::fromStdString(e.model);
    switch (e.type) {
    case T::StageStarted: stage_->setText(stageName(e.stage)); break;
    case T::StageFinished:
    case T::StageSkipped:
        if (!e.message.empty()) status_->setText(stageName(e.stage) + QStringLiteral(": ") + QString::fromStdString(e.message));
        break;
    case T::StageFailed: status_->setText(tr("%1 failed: %2").arg(stageName(e.stage), QString::fromStdString(e.message))); break;
    case T::Batch:
        loss_->addPoint(model, double(e.batch.globalBatch), e.batch.loss);
        stage_->setText(tr("%1: epoch %2/%3, batch %4/%5  %6")
                            .arg(stageName(e.stage))
                            .arg(e.batch.epoch)
                            .arg(e.batch.epochs)
                            .arg(e.batch.batch)
                            .arg(e.batch.batchesPerEpoch)
                            .arg(eta(e.etaSeconds)));
        break;
    case T::Epoch:
        if (e.epoch.test) accuracy_->addPoint(model, e.epoch.epoch, e.epoch.test->accuracy);
        break;
    case T::QatEpoch:
        accuracy_->addPoint(tr("QAT fake-quant"), e.qatEpoch.epoch, e.qatEpoch.fakeQuant.accuracy, true);
        accuracy_->addPoint(tr("QAT converted INT8"), e.qatEpoch.epoch, e.qatEpoch.int8.accuracy, true);
        break;
    case T::ModelMeasured: showResult(e.result); break;
    case T::Progress: break;
    }
}

void RunPage::showResult(const ModelResult& r)
{
    auto it = std::find_if(results_.begin(), results_.end(), [&](const ModelResult& x) { return x.model == r.model; });
    if (it != results_.end()) *it = r;
    else results_.push_back(r);
    const QString name = QString::fromStdString(r.model);
    const auto size = r.precision == "int8" ? r.int8SizeMib : r.fp32SizeMib;
    if (size) size_->setBar(name, *size);
    if (r.cpuLatency && r.cpuLatency->available) latency_->setBar(name, r.cpuLatency->median, r.cpuLatency->p90);

    table_->setRowCount(int(results_.size()));
    for (int row = 0; row < int(results_.size()); ++row) {
        const auto& m = results_[size_t(row)];
        auto num = [](const std::optional<double>& v, int prec) { return v ? QString::number(*v, 'f', prec) : QStringLiteral("-"); };
        const auto sz = m.precision == "int8" ? m.int8SizeMib : m.fp32SizeMib;
        QString gpu = QStringLiteral("-");
        if (m.gpuLatency) gpu = m.gpuLatency->available ? QString::number(m.gpuLatency->median, 'f', 3) : tr("n/a");
        const QStringList cells{QString::fromStdString(m.model), QString::fromStdString(m.variant),
                                QString::fromStdString(m.precision), QString::fromStdString(withThousands(m.params)),
                                QString::fromStdString(withThousands(m.macs)), num(m.accuracyPct, 2), num(sz, 3),
                                m.cpuLatency ? QString::number(m.cpuLatency->median, 'f', 3) : QStringLiteral("-"),
                                m.cpuLatency ? QString::number(m.cpuLatency->p90, 'f', 3) : QStringLiteral("-"), gpu,
                                num(m.trainSeconds, 1)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            if (c == 9 && m.gpuLatency && !m.gpuLatency->available)
                item->setToolTip(QString::fromStdString(m.gpuLatency->unavailableReason));
            if (c >= 3) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, c, item);
        }
    }
}

void RunPage::onFinished(bool ok, bool cancelled, const QString& message, const QString& csv)
{
    runButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    preset_->setEnabled(true);
    exportButton_->setEnabled(!results_.empty());
    if (ok) {
        progress_->setValue(1000);
        stage_->setText(tr("Finished."));
        status_->setText(tr("Results written to %1").arg(csv));
    } else if (cancelled) {
        stage_->setText(tr("Cancelled. Run again with the same output folder to resume."));
    } else {
        stage_->setText(tr("Failed."));
        status_->setText(message);
    }
    Q_EMIT runFinished(ok, cancelled);
}

bool RunPage::exportCsv(const QString& path)
{
    try {
        writeFileAtomic(path.toStdString(), toCsv(results_));
        status_->setText(tr("Exported %1 rows to %2").arg(results_.size()).arg(path));
        return true;
    } catch (const std::exception& e) {
        status_->setText(tr("Export failed: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

} // namespace phinet::gui
