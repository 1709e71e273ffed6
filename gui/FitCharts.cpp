#include "FitCharts.h"

#include "Charts.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QHBoxLayout>

#include <algorithm>

namespace phinet::gui {
namespace {

const QColor kFp32(31, 119, 180);
const QColor kInt8(255, 127, 14);
const QColor kBudget(214, 39, 40);

/// A titled plot; the title and the axis label are set by FitCharts::retranslate().
QCustomPlot* makePlot(QWidget* parent, const char* name, QCPTextElement*& title)
{
    auto* p = new QCustomPlot(parent);
    p->setObjectName(QLatin1String(name));
    p->plotLayout()->insertRow(0);
    title = new QCPTextElement(p, QString(), QFont(QStringLiteral("sans"), 10, QFont::Bold));
    p->plotLayout()->addElement(0, 0, title);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->axisRect()->setRangeDrag(Qt::Vertical);
    p->axisRect()->setRangeZoom(Qt::Vertical);
    p->setMinimumSize(260, 220);
    p->setContextMenuPolicy(Qt::CustomContextMenu);
    p->legend->setFont(QFont(QStringLiteral("sans"), 8));
    p->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    addExportMenu(p, parent);
    return p;
}

QCPBars* makeBars(QCustomPlot* p, const QColor& c, double width)
{
    auto* b = new QCPBars(p->xAxis, p->yAxis);
    b->setBrush(QColor(c.red(), c.green(), c.blue(), 170));
    b->setPen(QPen(c));
    b->setWidth(width);
    return b;
}

/// A dashed horizontal budget line at y with its label, on a vertical-bars plot.
void makeBudgetLine(QCustomPlot* p, QCPItemStraightLine*& line, QCPItemText*& label)
{
    line = new QCPItemStraightLine(p);
    QPen pen(kBudget, 2, Qt::DashLine);
    line->setPen(pen);
    label = new QCPItemText(p);
    label->setColor(kBudget);
    label->setFont(QFont(QStringLiteral("sans"), 8, QFont::Bold));
    label->position->setTypeX(QCPItemPosition::ptAxisRectRatio);
    label->position->setTypeY(QCPItemPosition::ptPlotCoords);
    label->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    label->setPadding(QMargins(3, 1, 3, 1));
    label->setBrush(QColor(255, 255, 255, 210)); // readable over the bars
    line->setVisible(false);
    label->setVisible(false);
}

void placeBudget(QCPItemStraightLine* line, QCPItemText* label, double y, const QString& text)
{
    line->point1->setCoords(0, y);
    line->point2->setCoords(1, y);
    label->position->setCoords(0.01, y);
    label->setText(text);
    line->setVisible(y >= 0);
    label->setVisible(y >= 0);
}

QSharedPointer<QCPAxisTickerText> textTicker(const QStringList& labels, int first)
{
    QSharedPointer<QCPAxisTickerText> t(new QCPAxisTickerText);
    for (int i = 0; i < labels.size(); ++i)
        t->addTick(first + i, labels[i]);
    return t;
}

} // namespace

FitCharts::FitCharts(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("fitCharts"));
    macs_ = makePlot(this, "macsChart", macsTitle_);
    memory_ = makePlot(this, "memoryChart", memoryTitle_);
    flash_ = makePlot(this, "flashChart", flashTitle_);
    macBars_ = makeBars(macs_, QColor(44, 160, 44), 0.7);
    memFp32_ = makeBars(memory_, kFp32, 0.4);
    memInt8_ = makeBars(memory_, kInt8, 0.4);
    flashBars_ = makeBars(flash_, kFp32, 0.6);
    flashInt8Bars_ = makeBars(flash_, kInt8, 0.6);
    makeBudgetLine(memory_, ramLine_, ramLabel_);
    makeBudgetLine(flash_, flashLine_, flashLabel_);
    macsEmpty_ = new EmptyState(macs_);
    memoryEmpty_ = new EmptyState(memory_);
    flashEmpty_ = new EmptyState(flash_);
    auto* l = new QHBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(macs_, 4);
    l->addWidget(memory_, 4);
    l->addWidget(flash_, 2);
    retranslate();
    setEmpty(true);
}

void FitCharts::retranslate()
{
    macsTitle_->setText(tr("MACs per layer"));
    memoryTitle_->setText(tr("Activation memory per layer"));
    flashTitle_->setText(tr("Weights in flash"));
    macs_->yAxis->setLabel(tr("MACs (millions)"));
    memory_->yAxis->setLabel(tr("peak RAM while it runs (KB)"));
    flash_->yAxis->setLabel(tr("flash (KB)"));
    macBars_->setName(tr("MACs"));
    memFp32_->setName(tr("FP32"));
    memInt8_->setName(tr("INT8"));
    flashBars_->setName(tr("FP32"));
    flashInt8Bars_->setName(tr("INT8"));
    const QString noChart = tr("No chart: the configuration is invalid");
    for (auto* e : {macsEmpty_, memoryEmpty_, flashEmpty_})
        e->setText(noChart);
    if (layers_ > 0) flash_->xAxis->setTicker(textTicker({tr("FP32"), tr("INT8")}, 0));
    if (ramBudgetKb_ >= 0)
        placeBudget(ramLine_, ramLabel_, ramBudgetKb_, tr("RAM budget %1 KB").arg(ramBudgetKb_, 0, 'f', 1));
    if (flashBudgetKb_ >= 0)
        placeBudget(flashLine_, flashLabel_, flashBudgetKb_, tr("flash budget %1 KB").arg(flashBudgetKb_, 0, 'f', 0));
    for (auto* p : {macs_, memory_, flash_})
        p->replot(QCustomPlot::rpQueuedReplot);
}

void FitCharts::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void FitCharts::setEmpty(bool empty)
{
    for (auto* e : {macsEmpty_, memoryEmpty_, flashEmpty_})
        e->setEmpty(empty);
    memory_->legend->setVisible(!empty);
}

bool FitCharts::showsEmptyState() const
{
    return macsEmpty_->isEmpty();
}

void FitCharts::clear()
{
    layers_ = 0;
    ramBudgetKb_ = flashBudgetKb_ = -1;
    for (auto* b : {macBars_, memFp32_, memInt8_, flashBars_, flashInt8Bars_})
        b->data()->clear();
    placeBudget(ramLine_, ramLabel_, -1, QString());
    placeBudget(flashLine_, flashLabel_, -1, QString());
    setEmpty(true);
    for (auto* p : {macs_, memory_, flash_})
        p->replot(QCustomPlot::rpQueuedReplot);
}

void FitCharts::setSummary(const ModelSummary& s, const std::optional<FitVerdict>& verdict)
{
    QStringList names;
    QVector<double> keys, macs, fp32Keys, int8Keys, fp32Kb, int8Kb;
    for (size_t i = 0; i < s.rows.size(); ++i) {
        const auto& r = s.rows[i];
        names << QString::fromStdString(r.name);
        keys << double(i);
        macs << double(r.macs) / 1e6;
        fp32Keys << double(i) - 0.2;
        int8Keys << double(i) + 0.2;
        fp32Kb << 4.0 * double(r.peakElements) / 1024.0;
        int8Kb << double(r.peakElements) / 1024.0;
    }
    layers_ = int(names.size());
    macBars_->setData(keys, macs, true);
    memFp32_->setData(fp32Keys, fp32Kb, true);
    memInt8_->setData(int8Keys, int8Kb, true);
    for (auto* p : {macs_, memory_}) {
        p->xAxis->setTicker(textTicker(names, 0));
        p->xAxis->setTickLabelRotation(60);
        p->xAxis->setTickLabelFont(QFont(QStringLiteral("sans"), 7));
        p->xAxis->setRange(-0.7, names.size() - 0.3);
    }
    macs_->yAxis->setRange(0, std::max(1e-6, *std::max_element(macs.begin(), macs.end())) * 1.15);

    ramBudgetKb_ = verdict ? double(verdict->int8.ramBudgetBytes) / 1024.0 : -1;
    flashBudgetKb_ = verdict ? double(verdict->int8.flashBudgetBytes) / 1024.0 : -1;
    const double memTop = std::max(*std::max_element(fp32Kb.begin(), fp32Kb.end()), ramBudgetKb_);
    memory_->yAxis->setRange(0, std::max(1.0, memTop) * 1.15);
    placeBudget(ramLine_, ramLabel_, ramBudgetKb_,
                verdict ? tr("RAM budget %1 KB").arg(ramBudgetKb_, 0, 'f', 1) : QString());

    const double fp32Flash = double(s.flashBytesFp32) / 1024.0, int8Flash = double(s.flashBytesInt8) / 1024.0;
    flashBars_->setData(QVector<double>{0}, QVector<double>{fp32Flash}, true);
    flashInt8Bars_->setData(QVector<double>{1}, QVector<double>{int8Flash}, true);
    flash_->xAxis->setTicker(textTicker({tr("FP32"), tr("INT8")}, 0));
    flash_->xAxis->setTickLabelRotation(0);
    flash_->xAxis->setRange(-0.6, 1.6);
    flash_->yAxis->setRange(0, std::max({1.0, fp32Flash, flashBudgetKb_}) * 1.15);
    placeBudget(flashLine_, flashLabel_, flashBudgetKb_,
                verdict ? tr("flash budget %1 KB").arg(flashBudgetKb_, 0, 'f', 0) : QString());
    setEmpty(false);
    for (auto* p : {macs_, memory_, flash_})
        p->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace phinet::gui
