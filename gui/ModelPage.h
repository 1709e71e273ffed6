#pragma once
// The Model area: a form for the PhiNet knobs and the live layer table with params, MACs and MCU
// memory estimates; a microcontroller target with its verdict (fits / does not fit, FP32 and INT8),
// per-layer charts against the board's budget, and "Find the largest that fits". Uses the core's
// Torch-free summarize(), checkFit() and findLargestFit(); recomputed on every edit.

#include "phinet/model/LayerTable.h"
#include "phinet/model/McuTarget.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTableWidget;

namespace phinet::gui {

class FitCharts;

class ModelPage : public QWidget {
    Q_OBJECT
public:
    QWidget* fieldFor(const std::string& field) const; ///< the widget of a validate() field ("alpha")
    explicit ModelPage(QWidget* parent = nullptr);

    /// The config the form describes (may be invalid; see isValid()).
    PhiNetConfig config() const;
    void setConfig(const PhiNetConfig& cfg);
    bool isValid() const { return summary_.has_value(); }
    /// The summary of the last valid config shown, if the current one is valid.
    const std::optional<ModelSummary>& summary() const { return summary_; }
    /// Field object name -> problem, for the fields currently flagged.
    QMap<QString, QString> fieldErrors() const { return errors_; }

    /// The chosen MCU target (empty: none) and the reserve taken off its memory.
    QString targetName() const;
    void setTargetName(const QString& name);
    McuReserve reserve() const;
    void setReserve(const McuReserve& r);
    /// The verdict of the current config on the chosen target, if both are there.
    const std::optional<FitVerdict>& verdict() const { return verdict_; }
    /// Runs the fit search for the chosen target at the form's input, classes, beta and t0 and applies
    /// the network it finds (MODIFIED, divisor 8). False when no target is chosen or nothing fits.
    bool findLargestFit();

Q_SIGNALS:
    void configChanged();

protected:
    void changeEvent(QEvent* event) override;

private:
    /// Sets every translated text (constructor, language switch).
    void retranslate();
    void recompute();
    void updateVerdict();
    void flag(QWidget* field, const QString& message);

    QGroupBox* formBox_ = nullptr;
    QGroupBox* mcuBox_ = nullptr;
    QFormLayout* form_ = nullptr;
    QFormLayout* mcuForm_ = nullptr;
    QLineEdit* input_ = nullptr;
    QDoubleSpinBox* alpha_ = nullptr;
    QDoubleSpinBox* beta_ = nullptr;
    QDoubleSpinBox* t0_ = nullptr;
    QSpinBox* layers_ = nullptr;
    QSpinBox* classes_ = nullptr;
    QComboBox* variant_ = nullptr;
    QSpinBox* divisor_ = nullptr;
    QDoubleSpinBox* bnMomentum_ = nullptr;
    QTableWidget* table_ = nullptr;
    QLabel* totals_ = nullptr;
    QLabel* status_ = nullptr;
    QComboBox* target_ = nullptr;
    QSpinBox* reserveRam_ = nullptr;
    QSpinBox* reserveFlash_ = nullptr;
    QLabel* verdictLabel_ = nullptr;
    QLabel* fitResult_ = nullptr;
    QPushButton* findFit_ = nullptr;
    FitCharts* charts_ = nullptr;
    std::vector<McuTarget> targets_;
    std::optional<ModelSummary> summary_;
    std::optional<FitVerdict> verdict_;
    QMap<QString, QString> errors_;
    bool updating_ = false;
};

} // namespace phinet::gui
