#include "Charts.h"

#include <qcustomplot.h>

#include <QEvent>
#include <QFileDialog>
#include <QMenu>
#include <QToolTip>
#include <QVBoxLayout>

namespace phinet::gui {
namespace {

const QList<QColor> kPalette{QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
                             QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127)};

/// Adds the title row and the axis labels; returns the title.
QCPTextElement* setupPlot(QCustomPlot* p, const QString& title, const QString& xLabel, const QString& yLabel)
{
    p->plotLayout()->insertRow(0);
    auto* t = new QCPTextElement(p, title, QFont(QStringLiteral("sans"), 10, QFont::Bold));
    p->plotLayout()->addElement(0, 0, t);
    p->xAxis->setLabel(xLabel);
    p->yAxis->setLabel(yLabel);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom | QCP::iSelectPlottables);
    p->setMinimumHeight(180);
    p->setContextMenuPolicy(Qt::CustomContextMenu);
    p->setMouseTracking(true);
    return t;
}

/// Shows the nearest data point's value under the mouse.
void addHover(QCustomPlot* p)
{
    QObject::connect(p, &QCustomPlot::mouseMove, p, [p](QMouseEvent* ev) {
        double best = 1e9;
        QString text;
        for (int i = 0; i < p->graphCount(); ++i) {
            auto* g = p->graph(i);
            for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it) {
                const double dx = p->xAxis->coordToPixel(it->key) - ev->pos().x();
                const double dy = p->yAxis->coordToPixel(it->value) - ev->pos().y();
                const double d = dx * dx + dy * dy;
                if (d < best) {
                    best = d;
                    text = QStringLiteral("%1: %2 = %3, %4 = %5")
                               .arg(g->name(), p->xAxis->label())
                               .arg(it->key, 0, 'g', 6)
                               .arg(p->yAxis->label())
                               .arg(it->value, 0, 'g', 6);
                }
            }
        }
        if (best < 15 * 15)
            QToolTip::showText(ev->globalPosition().toPoint(), text, p);
        else
            QToolTip::hideText();
    });
}

} // namespace

EmptyState::EmptyState(QCustomPlot* plot) : QLabel(plot), plot_(plot)
{
    setObjectName(QStringLiteral("emptyState"));
    setAlignment(Qt::AlignCenter);
    setWordWrap(true);
    setStyleSheet(QStringLiteral("QLabel { color: #8a8a8a; }"));
    setAttribute(Qt::WA_TransparentForMouseEvents); // zoom, pan and the context menu stay the plot's
    plot->installEventFilter(this);
    place();
    setEmpty(true);
}

void EmptyState::setEmpty(bool empty)
{
    if (empty == empty_ && isHidden() == !empty) return;
    empty_ = empty;
    setVisible(empty);
    plot_->xAxis->setVisible(!empty);
    plot_->yAxis->setVisible(!empty);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool EmptyState::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == plot_ && event->type() == QEvent::Resize) place();
    return QLabel::eventFilter(watched, event);
}

void EmptyState::place()
{
    // below the title row, a little in from the sides
    setGeometry(plot_->rect().adjusted(12, 28, -12, -8));
}

bool exportPlot(QCustomPlot* plot, const QString& path)
{
    if (path.endsWith(QLatin1String(".pdf"), Qt::CaseInsensitive)) return plot->savePdf(path);
    return plot->savePng(path, 0, 0, 2.0);
}

void addExportMenu(QCustomPlot* plot, QWidget* dialogParent)
{
    QObject::connect(plot, &QWidget::customContextMenuRequested, plot, [plot, dialogParent](const QPoint& pos) {
        QMenu menu(plot);
        auto* save = menu.addAction(QObject::tr("Save chart as PNG or PDF..."));
        auto* reset = menu.addAction(QObject::tr("Reset zoom"));
        auto* chosen = menu.exec(plot->mapToGlobal(pos));
        if (chosen == save) {
            const QString path = QFileDialog::getSaveFileName(dialogParent, QObject::tr("Save chart"), QString(),
                                                              QObject::tr("PNG image (*.png);;PDF document (*.pdf)"));
            if (!path.isEmpty()) exportPlot(plot, path);
        } else if (chosen == reset) {
            plot->rescaleAxes();
            plot->replot();
        }
    });
}

LineChart::LineChart(const QString& title, const QString& xLabel, const QString& yLabel, QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this))
{
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(plot_);
    title_ = setupPlot(plot_, title, xLabel, yLabel);
    plot_->legend->setVisible(false); // shown with the first series
    plot_->legend->setFont(QFont(QStringLiteral("sans"), 8));
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignTop | Qt::AlignRight);
    empty_ = new EmptyState(plot_);
    addHover(plot_);
    addExportMenu(plot_, this);
    retranslate();
}

void LineChart::retranslate()
{
    if (!customEmptyText_) empty_->setText(tr("No data yet"));
    for (auto it = labels_.cbegin(); it != labels_.cend(); ++it)
        if (QCPGraph* g = series_.value(it.key())) g->setName(it.value()());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LineChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void LineChart::setTitle(const QString& title)
{
    title_->setText(title);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString LineChart::title() const
{
    return title_->text();
}

void LineChart::setAxisLabels(const QString& xLabel, const QString& yLabel)
{
    plot_->xAxis->setLabel(xLabel);
    plot_->yAxis->setLabel(yLabel);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LineChart::setEmptyText(const QString& text)
{
    customEmptyText_ = true;
    empty_->setText(text);
}

QString LineChart::emptyText() const
{
    return empty_->text();
}

bool LineChart::showsEmptyState() const
{
    return empty_->isEmpty();
}

void LineChart::setSeriesLabel(const QString& name, std::function<QString()> label)
{
    if (QCPGraph* g = series_.value(name)) g->setName(label());
    labels_.insert(name, std::move(label));
}

QString LineChart::seriesLabel(const QString& name) const
{
    const QCPGraph* g = series_.value(name);
    return g ? g->name() : QString();
}

void LineChart::addPoint(const QString& name, double x, double y, bool scatter)
{
    QCPGraph* g = series_.value(name);
    if (!g) {
        g = plot_->addGraph();
        g->setName(labels_.contains(name) ? labels_.value(name)() : name);
        g->setPen(QPen(kPalette[series_.size() % kPalette.size()], 1.6));
        if (scatter) {
            g->setLineStyle(QCPGraph::lsNone);
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, 7));
        } else {
            g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 4));
        }
        series_.insert(name, g);
        plot_->legend->setVisible(true);
        empty_->setEmpty(false);
    }
    g->addData(x, y);
    plot_->rescaleAxes();
    // a margin, so points on the edges stay whole
    plot_->xAxis->scaleRange(1.08, plot_->xAxis->range().center());
    plot_->yAxis->scaleRange(1.12, plot_->yAxis->range().center());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LineChart::addMarker(const QString& name, double x, double y)
{
    QCPGraph* g = series_.value(name);
    if (!g) {
        g = plot_->addGraph();
        g->setName(labels_.contains(name) ? labels_.value(name)() : name);
        g->setPen(QPen(QColor(0, 0, 0), 2.0));
        g->setLineStyle(QCPGraph::lsNone);
        g->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(0, 0, 0), 2.0), Qt::NoBrush, 14));
        series_.insert(name, g);
        plot_->legend->setVisible(true);
        empty_->setEmpty(false);
    }
    g->addData(x, y);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LineChart::addLabel(double x, double y, const QString& text)
{
    auto* t = new QCPItemText(plot_);
    t->position->setCoords(x, y);
    t->setPositionAlignment(Qt::AlignLeft | Qt::AlignBottom);
    t->setPadding(QMargins(6, 0, 0, 4));
    t->setText(text);
    t->setFont(QFont(QStringLiteral("sans"), 7));
    t->setClipToAxisRect(false);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LineChart::setIntegerX()
{
    QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
    ticker->setTickStep(1.0);
    ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
    plot_->xAxis->setTicker(ticker);
}

void LineChart::setLegendCorner(Qt::Alignment corner)
{
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, corner);
}

void LineChart::setCategoryTicks(const QStringList& labels)
{
    if (labels.isEmpty()) {
        plot_->xAxis->setTicker(QSharedPointer<QCPAxisTicker>(new QCPAxisTicker));
        plot_->xAxis->setTickLabelRotation(0);
    } else {
        QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
        for (int i = 0; i < labels.size(); ++i)
            ticker->addTick(i, labels[i]);
        plot_->xAxis->setTicker(ticker);
        plot_->xAxis->setTickLabelRotation(60);
        plot_->xAxis->setTickLabelFont(QFont(QStringLiteral("sans"), 7));
    }
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void LineChart::clear()
{
    plot_->clearItems();
    plot_->clearGraphs();
    series_.clear();
    labels_.clear();
    plot_->legend->setVisible(false);
    empty_->setEmpty(true);
    plot_->replot();
}

int LineChart::pointCount(const QString& name) const
{
    auto* g = series_.value(name);
    return g ? g->dataCount() : 0;
}

int LineChart::seriesCount() const
{
    return series_.size();
}

bool LineChart::exportTo(const QString& path)
{
    plot_->replot();
    return exportPlot(plot_, path);
}

BarChart::BarChart(const QString& title, const QString& yLabel, QWidget* parent)
    : QWidget(parent), plot_(new QCustomPlot(this))
{
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(plot_);
    title_ = setupPlot(plot_, title, QString(), yLabel);
    empty_ = new EmptyState(plot_);
    bars_ = new QCPBars(plot_->xAxis, plot_->yAxis);
    bars_->setBrush(QColor(31, 119, 180, 170));
    bars_->setPen(QPen(QColor(31, 119, 180)));
    bars_->setWidth(0.6);
    errors_ = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
    errors_->setDataPlottable(bars_);
    errors_->setPen(QPen(Qt::black, 1.2));
    addExportMenu(plot_, this);
    connect(plot_, &QCustomPlot::mouseMove, plot_, [this](QMouseEvent* ev) {
        const int i = int(std::lround(plot_->xAxis->pixelToCoord(ev->pos().x()))) - 1;
        if (i >= 0 && i < categories_.size())
            QToolTip::showText(
                ev->globalPosition().toPoint(),
                QStringLiteral("%1: %2%3")
                    .arg(categories_[i])
                    .arg(values_[i], 0, 'g', 5)
                    .arg(whiskers_[i] > values_[i] ? tr(" (p90 %1)").arg(whiskers_[i], 0, 'g', 5) : QString()),
                plot_);
    });
    retranslate();
}

void BarChart::retranslate()
{
    if (!customEmptyText_) empty_->setText(tr("No data yet"));
}

void BarChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void BarChart::setTitle(const QString& title)
{
    title_->setText(title);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

QString BarChart::title() const
{
    return title_->text();
}

void BarChart::setAxisLabel(const QString& yLabel)
{
    plot_->yAxis->setLabel(yLabel);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void BarChart::setEmptyText(const QString& text)
{
    customEmptyText_ = true;
    empty_->setText(text);
}

QString BarChart::emptyText() const
{
    return empty_->text();
}

bool BarChart::showsEmptyState() const
{
    return empty_->isEmpty();
}

void BarChart::setBar(const QString& category, double value, double whisker)
{
    int i = categories_.indexOf(category);
    if (i < 0) {
        categories_ << category;
        values_ << value;
        whiskers_ << whisker;
    } else {
        values_[i] = value;
        whiskers_[i] = whisker;
    }
    rebuild();
}

void BarChart::clear()
{
    categories_.clear();
    values_.clear();
    whiskers_.clear();
    rebuild();
}

void BarChart::rebuild()
{
    QVector<double> ticks, errMinus, errPlus;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < categories_.size(); ++i) {
        ticks << i + 1;
        ticker->addTick(i + 1, categories_[i]);
        errMinus << 0;
        errPlus << std::max(0.0, whiskers_[i] - values_[i]);
    }
    plot_->xAxis->setTicker(ticker);
    plot_->xAxis->setTickLabelRotation(categories_.size() > 3 ? 20 : 0);
    bars_->setData(ticks, values_);
    errors_->setData(errMinus, errPlus);
    plot_->xAxis->setRange(0.3, categories_.size() + 0.7);
    double top = 0;
    for (int i = 0; i < values_.size(); ++i)
        top = std::max({top, values_[i], whiskers_[i]});
    plot_->yAxis->setRange(0, top > 0 ? top * 1.15 : 1);
    empty_->setEmpty(categories_.isEmpty());
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

ConfusionChart::ConfusionChart(const QString& title, QWidget* parent) : QWidget(parent), plot_(new QCustomPlot(this))
{
    auto* l = new QVBoxLayout(this);
    l->setContentsMargins(0, 0, 0, 0);
    l->addWidget(plot_);
    baseTitle_ = title;
    title_ = setupPlot(plot_, title, QString(), QString());
    empty_ = new EmptyState(plot_);
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->yAxis->setRangeReversed(true);
    map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    QCPColorGradient g(QCPColorGradient::gpGrayscale);
    g.setColorStopAt(0, QColor(255, 255, 255));
    g.setColorStopAt(1, QColor(31, 119, 180));
    map_->setGradient(g);
    map_->setInterpolate(false);
    addExportMenu(plot_, this);
    connect(plot_, &QCustomPlot::mouseMove, plot_, [this](QMouseEvent* ev) {
        const int col = int(std::lround(plot_->xAxis->pixelToCoord(ev->pos().x())));
        const int row = int(std::lround(plot_->yAxis->pixelToCoord(ev->pos().y())));
        if (n_ > 0 && row >= 0 && row < n_ && col >= 0 && col < n_)
            QToolTip::showText(
                ev->globalPosition().toPoint(),
                tr("true %1, predicted %2: %3 images").arg(row).arg(col).arg(map_->data()->cell(col, row)), plot_);
    });
    retranslate();
}

void ConfusionChart::retranslate()
{
    plot_->xAxis->setLabel(tr("predicted class"));
    plot_->yAxis->setLabel(tr("true class"));
    if (!customEmptyText_) empty_->setText(tr("No data yet"));
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ConfusionChart::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void ConfusionChart::setTitle(const QString& title)
{
    baseTitle_ = title;
    if (n_ == 0) {
        title_->setText(title);
        plot_->replot(QCustomPlot::rpQueuedReplot);
    }
}

QString ConfusionChart::title() const
{
    return title_->text();
}

void ConfusionChart::setEmptyText(const QString& text)
{
    customEmptyText_ = true;
    empty_->setText(text);
}

QString ConfusionChart::emptyText() const
{
    return empty_->text();
}

bool ConfusionChart::showsEmptyState() const
{
    return empty_->isEmpty();
}

void ConfusionChart::setMatrix(const QString& title, const std::vector<std::int64_t>& counts,
                               const QStringList& classes)
{
    clear();
    int n = 0;
    while (std::size_t(n + 1) * std::size_t(n + 1) <= counts.size())
        ++n;
    if (n == 0 || std::size_t(n) * std::size_t(n) != counts.size()) return;
    n_ = n;
    title_->setText(title);
    map_->data()->setSize(n, n);
    map_->data()->setRange(QCPRange(0, n - 1), QCPRange(0, n - 1));
    std::int64_t rowMax = 1;
    for (int r = 0; r < n; ++r) {
        std::int64_t rowTotal = 0;
        for (int c = 0; c < n; ++c)
            rowTotal += counts[std::size_t(r * n + c)];
        rowMax = std::max(rowMax, rowTotal);
    }
    for (int r = 0; r < n; ++r)
        for (int c = 0; c < n; ++c) {
            const auto v = counts[std::size_t(r * n + c)];
            map_->data()->setCell(c, r, double(v));
            if (v == 0) continue;
            auto* t = new QCPItemText(plot_);
            t->position->setCoords(c, r);
            t->setText(QString::number(v));
            t->setFont(QFont(QStringLiteral("sans"), n > 12 ? 6 : 8));
            t->setColor(double(v) > 0.55 * double(rowMax) ? Qt::white : Qt::black);
        }
    map_->setDataRange(QCPRange(0, double(rowMax)));
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    for (int i = 0; i < n; ++i)
        ticker->addTick(i, i < classes.size() ? classes[i] : QString::number(i));
    plot_->xAxis->setTicker(ticker);
    plot_->yAxis->setTicker(ticker);
    plot_->xAxis->setRange(-0.5, n - 0.5);
    plot_->yAxis->setRange(-0.5, n - 0.5);
    empty_->setEmpty(false);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

void ConfusionChart::clear()
{
    plot_->clearItems();
    map_->data()->clear();
    n_ = 0;
    title_->setText(baseTitle_);
    empty_->setEmpty(true);
    plot_->replot(QCustomPlot::rpQueuedReplot);
}

bool ConfusionChart::exportTo(const QString& path)
{
    plot_->replot();
    return exportPlot(plot_, path);
}

bool BarChart::exportTo(const QString& path)
{
    plot_->replot();
    return exportPlot(plot_, path);
}

} // namespace phinet::gui
