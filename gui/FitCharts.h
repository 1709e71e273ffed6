#pragma once
// The Model area's "will it fit?" charts: per layer MACs, per layer activation memory (FP32 and INT8)
// against the board's RAM budget, and the weights' flash (FP32 and INT8) against the flash budget.

#include "phinet/model/McuTarget.h"

#include <QWidget>

#include <optional>

class QCustomPlot;
class QCPBars;
class QCPItemStraightLine;
class QCPItemText;
class QCPTextElement;

namespace phinet::gui {

class EmptyState;

class FitCharts : public QWidget {
    Q_OBJECT
public:
    explicit FitCharts(QWidget* parent = nullptr);
    /// Draws a layer table; with a verdict, the budget lines of its board (after the reserve).
    void setSummary(const ModelSummary& s, const std::optional<FitVerdict>& verdict);
    void clear();

    QCustomPlot* macsPlot() const { return macs_; }
    QCustomPlot* memoryPlot() const { return memory_; }
    QCustomPlot* flashPlot() const { return flash_; }
    /// Layers drawn in the per-layer charts.
    int layerCount() const { return layers_; }
    /// The RAM and flash budget lines in KB; negative when no target is drawn.
    double ramBudgetKb() const { return ramBudgetKb_; }
    double flashBudgetKb() const { return flashBudgetKb_; }
    /// True while nothing is drawn (no valid configuration): each chart shows a line instead of axes.
    bool showsEmptyState() const;

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void setEmpty(bool empty);
    QCustomPlot* macs_;
    QCustomPlot* memory_;
    QCustomPlot* flash_;
    QCPBars* macBars_;
    QCPBars* memFp32_;
    QCPBars* memInt8_;
    QCPBars* flashBars_;
    QCPBars* flashInt8Bars_;
    QCPItemStraightLine* ramLine_;
    QCPItemText* ramLabel_;
    QCPItemStraightLine* flashLine_;
    QCPItemText* flashLabel_;
    QCPTextElement* macsTitle_;
    QCPTextElement* memoryTitle_;
    QCPTextElement* flashTitle_;
    EmptyState* macsEmpty_;
    EmptyState* memoryEmpty_;
    EmptyState* flashEmpty_;
    int layers_ = 0;
    double ramBudgetKb_ = -1;
    double flashBudgetKb_ = -1;
};

} // namespace phinet::gui
