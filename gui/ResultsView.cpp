#include "ResultsView.h"

#include "Charts.h"

#include <qcustomplot.h>

#include "phinet/report/Report.h"
#include "phinet/report/ResultColumns.h"

#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace phinet::gui {
namespace {

QWidget* grid(QWidget* parent, const QList<QWidget*>& charts, int columns)
{
    auto* w = new QWidget(parent);
    auto* g = new QGridLayout(w);
    g->setContentsMargins(2, 2, 2, 2);
    for (int i = 0; i < charts.size(); ++i)
        g->addWidget(charts[i], i / columns, i % columns);
    return w;
}

QString variantLabel(const std::string& v)
{
    if (v == "original") return QStringLiteral("ORIGINAL");
    if (v == "modified") return QStringLiteral("MODIFIED");
    if (v == "modified-early") return QStringLiteral("MODIFIED (early)");
    return QString::fromStdString(v);
}

bool sameRow(const ModelResult& a, const ModelResult& b)
{
    return a.model == b.model && a.sweepKnob == b.sweepKnob && a.sweepValue == b.sweepValue;
}

} // namespace

QString rowName(const ModelResult& r)
{
    if (r.sweepKnob.empty()) return QString::fromStdString(r.model);
    return QStringLiteral("%1 %2=%3")
        .arg(QString::fromStdString(r.model), QString::fromStdString(r.sweepKnob))
        .arg(r.sweepValue);
}

ResultsView::ResultsView(QWidget* parent) : QTabWidget(parent)
{
    setObjectName(QStringLiteral("resultsView"));
    // titles, axis labels and empty-state lines: retranslate()
    loss_ = new LineChart(QString(), QString(), QString(), this);
    loss_->setObjectName(QStringLiteral("lossChart"));
    epochLoss_ = new LineChart(QString(), QString(), QString(), this);
    epochLoss_->setObjectName(QStringLiteral("epochLossChart"));
    accuracy_ = new LineChart(QString(), QString(), QString(), this);
    accuracy_->setObjectName(QStringLiteral("accuracyChart"));
    accuracy_->setLegendCorner(Qt::AlignBottom | Qt::AlignRight); // accuracy climbs: the lower right stays free
    for (auto* c : {loss_, epochLoss_, accuracy_})
        c->setIntegerX();
    size_ = new BarChart(QString(), QString(), this);
    size_->setObjectName(QStringLiteral("sizeChart"));
    latency_ = new BarChart(QString(), QString(), this);
    latency_->setObjectName(QStringLiteral("latencyChart"));
    sweepParams_ = new LineChart(QString(), QString(), QString(), this);
    sweepParams_->setObjectName(QStringLiteral("sweepParamsChart"));
    sweepMacs_ = new LineChart(QString(), QString(), QString(), this);
    sweepMacs_->setObjectName(QStringLiteral("sweepMacsChart"));
    sweepParams_->setLegendCorner(Qt::AlignTop | Qt::AlignLeft);
    sweepMacs_->setLegendCorner(Qt::AlignTop | Qt::AlignLeft);
    pareto_ = new LineChart(QString(), QString(), QString(), this);
    pareto_->setObjectName(QStringLiteral("paretoChart"));
    paretoNote_ = new QLabel(this);
    paretoNote_->setObjectName(QStringLiteral("paretoNote"));
    paretoNote_->setWordWrap(true);
    paretoNote_->setVisible(false); // with the first Pareto candidate
    sqnr_ = new LineChart(QString(), QString(), QString(), this);
    sqnr_->setObjectName(QStringLiteral("sqnrChart"));
    confFp32_ = new ConfusionChart(QString(), this);
    confFp32_->setObjectName(QStringLiteral("confusionFp32"));
    confInt8_ = new ConfusionChart(QString(), this);
    confInt8_->setObjectName(QStringLiteral("confusionInt8"));
    confFp32Model_ = new QComboBox(this);
    confFp32Model_->setObjectName(QStringLiteral("confusionFp32Model"));
    confInt8Model_ = new QComboBox(this);
    confInt8Model_->setObjectName(QStringLiteral("confusionInt8Model"));

    addTab(grid(this, {loss_, epochLoss_, accuracy_}, 3), QString());
    addTab(grid(this, {size_, latency_}, 2), QString());
    addTab(grid(this, {sweepParams_, sweepMacs_}, 2), QString());
    auto* paretoPage = new QWidget(this);
    auto* pl = new QVBoxLayout(paretoPage);
    pl->addWidget(pareto_, 1);
    pl->addWidget(paretoNote_);
    addTab(paretoPage, QString());
    addTab(sqnr_, QString());
    auto* confPage = new QWidget(this);
    auto* cl = new QGridLayout(confPage);
    cl->addWidget(confFp32Model_, 0, 0);
    cl->addWidget(confInt8Model_, 0, 1);
    cl->addWidget(confFp32_, 1, 0);
    cl->addWidget(confInt8_, 1, 1);
    cl->setRowStretch(1, 1);
    addTab(confPage, QString());
    retranslate();

    connect(confFp32Model_, &QComboBox::currentIndexChanged, this, &ResultsView::redrawConfusion);
    connect(confInt8Model_, &QComboBox::currentIndexChanged, this, &ResultsView::redrawConfusion);
}

void ResultsView::retranslate()
{
    loss_->setTitle(tr("Training loss per batch"));
    loss_->setAxisLabels(tr("batch"), tr("loss"));
    loss_->setEmptyText(tr("No data yet: the loss appears when training starts."));
    epochLoss_->setTitle(tr("Loss per epoch (train and test)"));
    epochLoss_->setAxisLabels(tr("epoch"), tr("loss"));
    epochLoss_->setEmptyText(tr("No data yet: train and test loss appear after each epoch."));
    accuracy_->setTitle(tr("Test accuracy per epoch"));
    accuracy_->setAxisLabels(tr("epoch"), tr("accuracy (%)"));
    accuracy_->setEmptyText(tr("No data yet: the test accuracy appears after each evaluated epoch."));
    size_->setTitle(tr("Model size"));
    size_->setAxisLabel(tr("MiB"));
    size_->setEmptyText(tr("No data yet: each model's size appears when it is measured."));
    latency_->setTitle(tr("CPU latency (median, p90 whisker)"));
    latency_->setAxisLabel(tr("ms"));
    latency_->setEmptyText(tr("No data yet: each model's latency appears when it is measured."));
    sweepParams_->setTitle(tr("CPU latency vs parameters"));
    sweepParams_->setAxisLabels(tr("parameters"), tr("latency (ms)"));
    sweepMacs_->setTitle(tr("CPU latency vs MACs"));
    sweepMacs_->setAxisLabels(tr("MACs"), tr("latency (ms)"));
    for (auto* c : {sweepParams_, sweepMacs_})
        c->setEmptyText(tr("No data yet: a sweep's points appear here as each is measured."));
    pareto_->setTitle(tr("Accuracy vs latency (label: size)"));
    pareto_->setAxisLabels(tr("CPU latency (ms)"), tr("accuracy (%)"));
    pareto_->setEmptyText(tr("No data yet: models with an accuracy and a CPU latency appear here."));
    paretoNote_->setText(tr("Models on the front are not beaten on both accuracy and latency by any other."));
    sqnr_->setTitle(tr("Per-layer SQNR of the INT8 activations (higher is better)"));
    sqnr_->setAxisLabels(QString(), tr("SQNR (dB)"));
    sqnr_->setEmptyText(tr("No data yet: the per-layer SQNR appears when an INT8 model is measured."));
    confFp32_->setTitle(tr("FP32"));
    confInt8_->setTitle(tr("INT8"));
    for (auto* c : {confFp32_, confInt8_})
        c->setEmptyText(tr("No data yet: the confusion matrix appears when a model is evaluated."));
    setTabText(0, tr("Training"));
    setTabText(1, tr("Size and latency"));
    setTabText(2, tr("Sweep"));
    setTabText(3, tr("Pareto"));
    setTabText(4, tr("Per-layer SQNR"));
    setTabText(5, tr("Confusion matrices"));
}

void ResultsView::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        if (!results_.empty()) redrawDerived(); // the Pareto labels, the confusion titles
    }
    QTabWidget::changeEvent(event);
}

void ResultsView::clear()
{
    for (auto* c : {loss_, epochLoss_, accuracy_, sweepParams_, sweepMacs_, pareto_, sqnr_})
        c->clear();
    size_->clear();
    latency_->clear();
    confFp32_->clear();
    confInt8_->clear();
    results_.clear();
    const QSignalBlocker b1(confFp32Model_), b2(confInt8Model_);
    confFp32Model_->clear();
    confInt8Model_->clear();
}

void ResultsView::setClassNames(const QStringList& names)
{
    classNames_ = names;
    redrawConfusion();
}

void ResultsView::onEvent(const ExperimentEvent& e)
{
    using T = ExperimentEvent::Type;
    switch (e.type) {
    case T::Batch:
        loss_->addPoint(QString::fromStdString(e.model), double(e.batch.globalBatch), e.batch.loss);
        break;
    case T::Epoch:
        addEpoch(QString::fromStdString(e.model), e.epoch);
        break;
    case T::QatEpoch:
        addQatEpoch(e.qatEpoch);
        break;
    case T::ModelMeasured:
        setResult(e.result);
        break;
    default:
        break;
    }
}

// Series are named by their English text and labelled in the current language: a language switch
// relabels them, and the points that follow join the same series.

void ResultsView::addEpoch(const QString& model, const EpochSummary& e)
{
    const QString train = QStringLiteral("%1 train").arg(model);
    epochLoss_->setSeriesLabel(train, [model] { return tr("%1 train").arg(model); });
    epochLoss_->addPoint(train, e.epoch, e.trainLoss);
    if (e.test) {
        const QString test = QStringLiteral("%1 test").arg(model);
        epochLoss_->setSeriesLabel(test, [model] { return tr("%1 test").arg(model); });
        epochLoss_->addPoint(test, e.epoch, e.test->loss);
        accuracy_->addPoint(model, e.epoch, e.test->accuracy);
    }
}

void ResultsView::addQatEpoch(const QatEpoch& e)
{
    const QString fake = QStringLiteral("QAT fake-quant"), int8 = QStringLiteral("QAT converted INT8");
    accuracy_->setSeriesLabel(fake, [] { return tr("QAT fake-quant"); });
    accuracy_->setSeriesLabel(int8, [] { return tr("QAT converted INT8"); });
    accuracy_->addPoint(fake, e.epoch, e.fakeQuant.accuracy, true);
    accuracy_->addPoint(int8, e.epoch, e.int8.accuracy, true);
}

void ResultsView::setResult(const ModelResult& r)
{
    auto it = std::find_if(results_.begin(), results_.end(), [&](const ModelResult& x) { return sameRow(x, r); });
    if (it != results_.end())
        *it = r;
    else
        results_.push_back(r);
    redrawDerived();
}

void ResultsView::setResults(const std::vector<ModelResult>& rows)
{
    results_ = rows;
    redrawDerived();
    // a stored study has its QAT history in the QAT row
    for (const auto& r : rows)
        for (const auto& q : r.qatEpochs)
            addQatEpoch(q);
}

void ResultsView::redrawDerived()
{
    size_->clear();
    latency_->clear();
    sweepParams_->clear();
    sweepMacs_->clear();
    pareto_->clear();
    sqnr_->clear();
    const bool sweep =
        std::any_of(results_.begin(), results_.end(), [](const ModelResult& r) { return !r.sweepKnob.empty(); });

    for (const auto& r : results_) {
        const QString name = rowName(r);
        if (!sweep) {
            if (const auto size = sizeMib(r)) size_->setBar(name, *size);
            if (r.cpuLatency && r.cpuLatency->available)
                latency_->setBar(name, r.cpuLatency->median, r.cpuLatency->p90);
        }
        // Sweep charts: FP32 and INT8 latency against params and MACs, per variant.
        const QString v = variantLabel(r.variant);
        auto plotLatency = [&](const std::optional<LatencyReport>& lat, const QString& precision) {
            if (!lat || !lat->available) return;
            const QString series = QStringLiteral("%1 %2").arg(v, precision);
            sweepParams_->addPoint(series, double(r.params), lat->median, !sweep);
            sweepMacs_->addPoint(series, double(r.macs), lat->median, !sweep);
            if (precision == QLatin1String("INT8") && r.fitsTarget &&
                *r.fitsTarget) { // a ring: its INT8 model fits the board
                const QString target = QString::fromStdString(r.fitTarget);
                const QString fits = QStringLiteral("fits %1 (INT8)").arg(target);
                for (auto* c : {sweepParams_, sweepMacs_})
                    c->setSeriesLabel(fits, [target] { return tr("fits %1 (INT8)").arg(target); });
                sweepParams_->addMarker(fits, double(r.params), lat->median);
                sweepMacs_->addMarker(fits, double(r.macs), lat->median);
            }
        };
        plotLatency(r.cpuLatency, r.precision == Precision::Int8 ? QStringLiteral("INT8") : QStringLiteral("FP32"));
        plotLatency(r.int8CpuLatency, QStringLiteral("INT8"));
    }

    // Pareto: every row with an accuracy and a CPU latency, labelled with its size; the front as a line.
    const auto candidates = paretoCandidates(results_);
    const QString models = QStringLiteral("models"), front = QStringLiteral("Pareto front");
    pareto_->setSeriesLabel(models, [] { return tr("models"); });
    pareto_->setSeriesLabel(front, [] { return tr("Pareto front"); });
    for (auto i : candidates) {
        const auto& r = results_[i];
        const auto size = sizeMib(r);
        pareto_->addPoint(models, r.cpuLatency->median, *r.accuracyPct, true);
        pareto_->addLabel(r.cpuLatency->median, *r.accuracyPct,
                          size ? tr("%1, %2 MiB").arg(rowName(r)).arg(*size, 0, 'f', 2) : rowName(r));
    }
    for (auto i : paretoFront(results_))
        pareto_->addPoint(front, results_[i].cpuLatency->median, *results_[i].accuracyPct);
    paretoNote_->setVisible(!candidates.empty());
    if (!candidates.empty()) { // room for the labels right of the points
        auto* x = pareto_->plot()->xAxis;
        x->setRange(x->range().lower, x->range().upper + 0.25 * x->range().size());
        pareto_->plot()->replot(QCustomPlot::rpQueuedReplot);
    }

    // SQNR: one series per model with per-layer errors, on the first such model's layer names.
    QStringList sites;
    for (const auto& r : results_) {
        if (r.layerErrors.empty()) continue;
        if (sites.isEmpty())
            for (const auto& l : r.layerErrors)
                sites << QString::fromStdString(l.name);
        for (std::size_t i = 0; i < r.layerErrors.size(); ++i)
            sqnr_->addPoint(rowName(r), double(i),
                            std::isfinite(r.layerErrors[i].sqnrDb) ? r.layerErrors[i].sqnrDb : 99.0);
    }
    sqnr_->setCategoryTicks(sites);

    // Confusion model choices.
    const QString keep32 = confFp32Model_->currentText(), keep8 = confInt8Model_->currentText();
    {
        const QSignalBlocker b1(confFp32Model_), b2(confInt8Model_);
        confFp32Model_->clear();
        confInt8Model_->clear();
        for (const auto& r : results_) {
            if (r.confusion.empty()) continue;
            (r.precision == Precision::Int8 ? confInt8Model_ : confFp32Model_)->addItem(rowName(r));
        }
        auto restore = [](QComboBox* c, const QString& keep, const QString& prefer) {
            int i = c->findText(keep);
            if (i < 0) i = c->findText(prefer);
            if (i >= 0) c->setCurrentIndex(i);
        };
        restore(confFp32Model_, keep32, QStringLiteral("modified-fp32"));
        restore(confInt8Model_, keep8, QStringLiteral("modified-qat-int8"));
    }
    redrawConfusion();
}

void ResultsView::redrawConfusion()
{
    auto draw = [this](ConfusionChart* chart, const QString& model) {
        chart->clear();
        for (const auto& r : results_)
            if (rowName(r) == model && !r.confusion.empty()) {
                const QString title =
                    r.accuracyPct ? tr("%1: %2 % correct").arg(model).arg(*r.accuracyPct, 0, 'f', 2) : model;
                chart->setMatrix(title, r.confusion, classNames_);
            }
    };
    draw(confFp32_, confFp32Model_->currentText());
    draw(confInt8_, confInt8Model_->currentText());
}

QStringList ResultsView::exportCharts(const QString& dir, QString* error)
{
    QStringList written;
    if (!QDir().mkpath(dir)) {
        *error = tr("%1: cannot create the folder").arg(dir);
        return written;
    }
    auto save = [&](const QString& name, bool hasData, auto* chart) {
        if (!error->isEmpty() || !hasData) return;
        const QString path = QDir(dir).filePath(name + QStringLiteral(".png"));
        if (chart->exportTo(path))
            written << path;
        else
            *error = tr("%1: could not be written").arg(path);
    };
    error->clear();
    save(QStringLiteral("loss-per-batch"), loss_->seriesCount() > 0, loss_);
    save(QStringLiteral("loss-per-epoch"), epochLoss_->seriesCount() > 0, epochLoss_);
    save(QStringLiteral("accuracy-per-epoch"), accuracy_->seriesCount() > 0, accuracy_);
    save(QStringLiteral("size"), size_->barCount() > 0, size_);
    save(QStringLiteral("latency"), latency_->barCount() > 0, latency_);
    save(QStringLiteral("latency-vs-params"), sweepParams_->seriesCount() > 0, sweepParams_);
    save(QStringLiteral("latency-vs-macs"), sweepMacs_->seriesCount() > 0, sweepMacs_);
    save(QStringLiteral("pareto"), pareto_->seriesCount() > 0, pareto_);
    save(QStringLiteral("sqnr-per-layer"), sqnr_->seriesCount() > 0, sqnr_);
    save(QStringLiteral("confusion-fp32"), confFp32_->classCount() > 0, confFp32_);
    save(QStringLiteral("confusion-int8"), confInt8_->classCount() > 0, confInt8_);
    return written;
}

QString columnTitle(ResultColumn c)
{
    switch (c) { // the headers of resultColumns(), translated
    case ResultColumn::Model:
        return QObject::tr("Model");
    case ResultColumn::Variant:
        return QObject::tr("Variant");
    case ResultColumn::Precision:
        return QObject::tr("Precision");
    case ResultColumn::SweepPoint:
        return QObject::tr("Sweep point");
    case ResultColumn::Params:
        return QObject::tr("Params");
    case ResultColumn::Macs:
        return QObject::tr("MACs");
    case ResultColumn::Accuracy:
        return QObject::tr("Accuracy (%)");
    case ResultColumn::Size:
        return QObject::tr("Size (MiB)");
    case ResultColumn::CpuLatency:
        return QObject::tr("CPU latency (ms)");
    case ResultColumn::CpuLatencyP90:
        return QObject::tr("p90 (ms)");
    case ResultColumn::CpuLatencyInterval:
        return QObject::tr("95% interval (ms)");
    case ResultColumn::LatencyRatio:
        return QObject::tr("Latency ratio [95%]");
    case ResultColumn::Int8Latency:
        return QObject::tr("INT8 latency (ms)");
    case ResultColumn::GpuLatency:
        return QObject::tr("GPU latency (ms)");
    case ResultColumn::TrainSeconds:
        return QObject::tr("Train time (s)");
    case ResultColumn::FlashInt8:
        return QObject::tr("INT8 flash (KiB)");
    case ResultColumn::PeakRamInt8:
        return QObject::tr("INT8 peak RAM (KiB)");
    }
    return QString::fromUtf8(resultColumn(c).header);
}

void fillResultsTable(QTableWidget* table, const std::vector<ModelResult>& rows)
{
    const auto& columns = resultColumns();
    QStringList headers;
    for (const auto& c : columns)
        headers << columnTitle(c.id);
    table->clear();
    table->setColumnCount(int(headers.size()));
    table->setHorizontalHeaderLabels(headers);
    table->setRowCount(int(rows.size()));
    std::vector<bool> used(columns.size(), false);
    for (int row = 0; row < int(rows.size()); ++row) {
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const auto cell = resultCell(columns[c].id, rows[std::size_t(row)]);
            const QString text = cell.unavailable ? QObject::tr("n/a") : QString::fromStdString(cell.text);
            auto* item = new QTableWidgetItem(text.isEmpty() ? QStringLiteral("-") : text);
            if (!text.isEmpty()) used[c] = true;
            if (cell.unavailable && !cell.reason.empty()) item->setToolTip(QString::fromStdString(cell.reason));
            if (columns[c].numeric) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table->setItem(row, int(c), item);
        }
    }
    for (std::size_t c = 0; c < columns.size(); ++c)
        table->setColumnHidden(int(c), !rows.empty() && !used[c]);
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->verticalHeader()->setVisible(false);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
}

QStringList exportRunFolder(const QString& dir, const std::vector<ModelResult>& rows, const EpochLog& epochs,
                            const nlohmann::json& config, const nlohmann::json& manifest, ResultsView* view)
{
    const std::filesystem::path d = dir.toStdString();
    QStringList written;
    for (const auto& f : writeRunFolder(d, rows, epochs, config, manifest))
        written << QString::fromStdString(f.string());
    if (view) {
        QString error;
        written << view->exportCharts(QString::fromStdString((d / "charts").string()), &error);
        if (!error.isEmpty()) throw std::runtime_error(error.toStdString());
    }
    return written;
}

} // namespace phinet::gui
