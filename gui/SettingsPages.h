#pragma once
// The Training, Quantization and Benchmark areas: one form field per core setting. Each page reads
// and writes the core's Torch-free config structs and emits changed() on every edit.

#include "phinet/experiment/ExperimentConfig.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QSpinBox;

namespace phinet::gui {

/// The settings of one training run (used twice: ORIGINAL and MODIFIED).
class TrainForm : public QWidget {
    Q_OBJECT
public:
    explicit TrainForm(const QString& prefix, QWidget* parent = nullptr);
    TrainConfig config() const;
    void setConfig(const TrainConfig& c);

Q_SIGNALS:
    void changed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateEnabled();
    QFormLayout* form_;
    QComboBox* optimizer_;
    QDoubleSpinBox* lr_;
    QDoubleSpinBox* momentum_;
    QDoubleSpinBox* weightDecay_;
    QComboBox* schedule_;
    QSpinBox* stepEpochs_;
    QDoubleSpinBox* stepGamma_;
    QDoubleSpinBox* labelSmoothing_;
    QDoubleSpinBox* gradClip_;
    QSpinBox* epochs_;
    QSpinBox* batch_;
    QSpinBox* evalBatch_;
    QSpinBox* seed_;
    QSpinBox* threads_;
    QSpinBox* reportEvery_;
    QCheckBox* channelsLast_;
    QCheckBox* evaluate_;
};

class TrainingPage : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPage(QWidget* parent = nullptr);
    TrainConfig original() const;
    TrainConfig modified() const;
    StageSwitches stages() const;
    void setConfig(const TrainConfig& original, const TrainConfig& modified, const StageSwitches& stages);
    TrainForm* originalForm() const { return original_; }
    TrainForm* modifiedForm() const { return modified_; }

Q_SIGNALS:
    void changed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    TrainForm* original_;
    TrainForm* modified_;
    QGroupBox* origBox_;
    QGroupBox* modBox_;
    QGroupBox* stagesBox_;
    QLabel* note_;
    QCheckBox* trainOriginal_;
    QCheckBox* trainModified_;
    QCheckBox* ptq_;
    QCheckBox* qat_;
    QCheckBox* measure_;
};

class QuantPage : public QWidget {
    Q_OBJECT
public:
    explicit QuantPage(QWidget* parent = nullptr);
    QuantConfig config() const;
    void setConfig(const QuantConfig& c);

Q_SIGNALS:
    void changed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    void updateHints();
    QGroupBox* ptqBox_;
    QGroupBox* qatBox_;
    QFormLayout* ptqForm_;
    QFormLayout* qatForm_;
    QComboBox* observer_;
    QDoubleSpinBox* percentile_;
    QDoubleSpinBox* averaging_;
    QComboBox* weights_;
    QComboBox* engine_;
    QComboBox* reduceRange_;
    QSpinBox* calibBatches_;
    QSpinBox* calibBatchSize_;
    QSpinBox* qatEpochs_;
    QDoubleSpinBox* qatLr_;
    QSpinBox* freezeObservers_;
    QSpinBox* freezeBn_;
    QCheckBox* learnedScales_;
    QSpinBox* threads_;
    QLabel* hint_;
};

class BenchPage : public QWidget {
    Q_OBJECT
public:
    explicit BenchPage(QWidget* parent = nullptr);
    BenchConfig config() const;
    void setConfig(const BenchConfig& c);

Q_SIGNALS:
    void changed();

protected:
    void changeEvent(QEvent* event) override;

private:
    void retranslate();
    QGroupBox* box_;
    QFormLayout* form_;
    QLabel* machine_;
    QString cpuModel_; ///< the machine's line, asked once
    QString noGpu_;
    QSpinBox* runs_;
    QSpinBox* rounds_;
    QSpinBox* warmup_;
    QSpinBox* batch_;
    QSpinBox* threads_;
    QCheckBox* gpu_;
};

} // namespace phinet::gui
