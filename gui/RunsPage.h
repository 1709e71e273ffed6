#pragma once
// The Runs area: the history of every study and sweep from the run store; a run's results table,
// manifest and charts; two runs compared side by side; a run exported as a folder; runs deleted.

#include "phinet/report/RunStore.h"

#include <QWidget>

#include <functional>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTableWidget;
class QTabWidget;

namespace phinet::gui {

class ResultsView;

class RunsPage : public QWidget {
    Q_OBJECT
public:
    explicit RunsPage(QWidget* parent = nullptr);

    /// Re-reads the run store, keeping the selection (or selecting the newest run).
    void refresh(bool selectNewest = false);
    int runCount() const;
    /// Selects the runs with these ids (one shows it, two compare them).
    void selectRuns(const QList<std::int64_t>& ids);
    /// Shows one run's details; false (message shown) if it cannot be read.
    bool showRun(std::int64_t id);
    /// Fills the comparison table with runs a and b.
    bool compareRuns(std::int64_t a, std::int64_t b);
    bool exportRun(std::int64_t id, const QString& dir);
    bool deleteRun(std::int64_t id);

    QTableWidget* runsTable() const { return runs_; }
    QTableWidget* detailsTable() const { return details_; }
    QTableWidget* compareTable() const { return compare_; }
    ResultsView* resultsView() const { return view_; }
    QString statusText() const;
    /// The model file of the shown run's selected result row (empty: none, or not on disk).
    QString selectedModelFile() const;

Q_SIGNALS:
    /// "Export model..." on a result row of a stored run: the main window exports that file.
    void exportModelRequested(const QString& modelFile);

protected:
    void changeEvent(QEvent* event) override;

private:
    /// Sets every translated text (constructor, language switch).
    void retranslate();
    /// Shows a status line made by `text`, made again on a language switch.
    void showStatus(std::function<QString()> text);
    QList<std::int64_t> selectedIds() const;
    void updateButtons();

    QTableWidget* runs_;
    QPushButton* refreshButton_;
    QPushButton* compareButton_;
    QPushButton* exportButton_;
    QPushButton* deleteButton_;
    QPushButton* exportModelButton_;
    QLabel* status_;
    QTabWidget* tabs_;
    QTableWidget* details_;
    QPlainTextEdit* manifest_;
    ResultsView* view_;
    QTableWidget* compare_;
    std::optional<RunDetails> shown_;
    std::function<QString()> statusText_;
    struct Compared { ///< the two runs in the comparison table, for its headers
        std::int64_t a;
        QString nameA;
        std::int64_t b;
        QString nameB;
    };
    std::optional<Compared> compared_;
};

} // namespace phinet::gui
