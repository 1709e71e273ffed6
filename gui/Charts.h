#pragma once
// Live charts on QCustomPlot: zoom and pan with the mouse, values on hover, export to PNG and PDF.

#include <QColor>
#include <QLabel>
#include <QMap>
#include <QString>
#include <QWidget>

#include <cstdint>
#include <functional>
#include <vector>

class QCustomPlot;
class QCPGraph;
class QCPBars;
class QCPErrorBars;
class QCPColorMap;
class QCPTextElement;

namespace phinet::gui {

/// A plot's empty state: while it holds no data, a short greyed line centred over it says what will
/// appear there, and its axes (bare 0..5 ranges) are hidden. A child of the plot, transparent to the mouse.
class EmptyState : public QLabel {
    Q_OBJECT
public:
    explicit EmptyState(QCustomPlot* plot);
    /// Shows the line and hides the axes (true), or the reverse.
    void setEmpty(bool empty);
    bool isEmpty() const { return empty_; }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void place();
    QCustomPlot* plot_;
    bool empty_ = false;
};

/// A titled plot of named line series (loss per batch, accuracy per epoch, ...).
class LineChart : public QWidget {
    Q_OBJECT
public:
    LineChart(const QString& title, const QString& xLabel, const QString& yLabel, QWidget* parent = nullptr);
    /// Appends a point to series `name` (created on first use, with the next palette colour). The name
    /// keys the series and is its legend text unless setSeriesLabel() gives one.
    void addPoint(const QString& name, double x, double y, bool scatter = false);
    /// The legend text of series `name` (now, or when it is created), asked again on a language switch
    /// while the series keeps its name: a translated label does not split a series.
    void setSeriesLabel(const QString& name, std::function<QString()> label);
    /// Appends a point to the marker series `name`: a large hollow ring drawn over the other series,
    /// no line (sweep points that fit the chosen MCU target).
    void addMarker(const QString& name, double x, double y);
    /// Draws a text label beside a point (Pareto names); cleared by clear().
    void addLabel(double x, double y, const QString& text);
    /// Whole-number x ticks (epochs, batches).
    void setIntegerX();
    /// Where the legend sits inside the plot (default: top right).
    void setLegendCorner(Qt::Alignment corner);
    /// Names the x ticks 0, 1, ... (per-layer charts); an empty list restores numeric ticks.
    void setCategoryTicks(const QStringList& labels);
    void clear();
    int pointCount(const QString& name) const;
    int seriesCount() const;
    /// The legend text of series `name` (empty: no such series).
    QString seriesLabel(const QString& name) const;
    QCustomPlot* plot() const { return plot_; }
    /// Writes the chart; the format follows the extension (.png or .pdf). False on failure.
    bool exportTo(const QString& path);

    void setTitle(const QString& title);
    QString title() const;
    void setAxisLabels(const QString& xLabel, const QString& yLabel);
    /// The line shown while the chart holds no data (default: a generic one, in the current language).
    void setEmptyText(const QString& text);
    QString emptyText() const;
    /// True while the chart holds no data and shows its empty-state line instead of axes.
    bool showsEmptyState() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    QCustomPlot* plot_;
    QCPTextElement* title_;
    EmptyState* empty_;
    bool customEmptyText_ = false;
    QMap<QString, QCPGraph*> series_;
    QMap<QString, std::function<QString()>> labels_;
};

/// Bars per category (model) with optional p90 whiskers.
class BarChart : public QWidget {
    Q_OBJECT
public:
    BarChart(const QString& title, const QString& yLabel, QWidget* parent = nullptr);
    /// Sets bar `category` to `value`; `whisker` > value draws a p90 whisker up to it.
    void setBar(const QString& category, double value, double whisker = -1);
    void clear();
    int barCount() const { return categories_.size(); }
    QCustomPlot* plot() const { return plot_; }
    bool exportTo(const QString& path);

    void setTitle(const QString& title);
    QString title() const;
    void setAxisLabel(const QString& yLabel);
    /// The line shown while the chart holds no bars (default: a generic one, in the current language).
    void setEmptyText(const QString& text);
    QString emptyText() const;
    bool showsEmptyState() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void rebuild();
    QCustomPlot* plot_;
    QCPTextElement* title_;
    EmptyState* empty_;
    bool customEmptyText_ = false;
    QCPBars* bars_;
    QCPErrorBars* errors_;
    QStringList categories_;
    QVector<double> values_, whiskers_;
};

/// A confusion matrix as a heat map (row = true class, column = predicted), counts in the cells.
class ConfusionChart : public QWidget {
    Q_OBJECT
public:
    ConfusionChart(const QString& title, QWidget* parent = nullptr);
    /// `counts` is n x n, row-major; `title` names the model and its accuracy.
    void setMatrix(const QString& title, const std::vector<std::int64_t>& counts, const QStringList& classes = {});
    void clear();
    int classCount() const { return n_; }
    QCustomPlot* plot() const { return plot_; }
    bool exportTo(const QString& path);

    /// The title shown while no matrix is drawn (setMatrix() shows its own).
    void setTitle(const QString& title);
    QString title() const;
    /// The line shown while no matrix is drawn (default: a generic one, in the current language).
    void setEmptyText(const QString& text);
    QString emptyText() const;
    bool showsEmptyState() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    QCustomPlot* plot_;
    QCPColorMap* map_ = nullptr;
    QCPTextElement* title_ = nullptr;
    EmptyState* empty_ = nullptr;
    QString baseTitle_;
    bool customEmptyText_ = false;
    int n_ = 0;
};

/// Saves a QCustomPlot as PNG or PDF by extension.
bool exportPlot(QCustomPlot* plot, const QString& path);
/// Adds "Save as PNG/PDF..." to a plot's context menu.
void addExportMenu(QCustomPlot* plot, QWidget* dialogParent);

} // namespace phinet::gui
