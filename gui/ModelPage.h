#pragma once
// The Model area: a form for the PhiNet knobs and the live layer table with params, MACs and MCU
// memory estimates. Uses the core's Torch-free summarize(); recomputed on every edit.

#include "phinet/model/LayerTable.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace phinet::gui {

class ModelPage : public QWidget {
    Q_OBJECT
public:
    explicit ModelPage(QWidget* parent = nullptr);

    /// The config the form describes (may be invalid; see isValid()).
    PhiNetConfig config() const;
    void setConfig(const PhiNetConfig& cfg);
    bool isValid() const { return summary_.has_value(); }
    /// The summary of the last valid config shown, if the current one is valid.
    const std::optional<ModelSummary>& summary() const { return summary_; }
    /// Field object name -> problem, for the fields currently flagged.
    QMap<QString, QString> fieldErrors() const { return errors_; }

Q_SIGNALS:
    void configChanged();

private:
    void recompute();
    void flag(QWidget* field, const QString& message);
    QWidget* fieldFor(const std::string& problem) const;

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
    std::optional<ModelSummary> summary_;
    QMap<QString, QString> errors_;
    bool updating_ = false;
};

} // namespace phinet::gui
