#include "RunsPage.h"

#include "Charts.h"
#include "ResultsView.h"

#include "phinet/common/Log.h"

#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTabWidget>
#include <QVBoxLayout>

#include <map>

namespace phinet::gui {
namespace {

QString statusName(const std::string& s)
{
    if (s == "running") return QObject::tr("running");
    if (s == "interrupted") return QObject::tr("interrupted"); // killed or crashed (see RunStore.h)
    if (s == "finished") return QObject::tr("finished");
    if (s == "cancelled") return QObject::tr("cancelled");
    if (s == "failed") return QObject::tr("failed");
    return QString::fromStdString(s);
}

} // namespace

RunsPage::RunsPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runsPage"));
    runs_ = new QTableWidget(this);
    runs_->setObjectName(QStringLiteral("runsTable"));
    runs_->setColumnCount(7);
    runs_->setHorizontalHeaderLabels(
        {tr("Id"), tr("Kind"), tr("Name"), tr("Status"), tr("Started (UTC)"), tr("Rows"), tr("Folder")});
    runs_->setSelectionBehavior(QAbstractItemView::SelectRows);
    runs_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    runs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    runs_->verticalHeader()->setVisible(false);
    runs_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    runs_->horizontalHeader()->setStretchLastSection(true);
    runs_->setMinimumHeight(140);
    refreshButton_ = new QPushButton(tr("Refresh"), this);
    compareButton_ = new QPushButton(tr("Compare the two selected"), this);
    compareButton_->setObjectName(QStringLiteral("compareButton"));
    exportButton_ = new QPushButton(tr("Export folder..."), this);
    exportButton_->setObjectName(QStringLiteral("exportRunButton"));
    deleteButton_ = new QPushButton(tr("Delete"), this);
    status_ = new QLabel(tr("Select a run to see it; select two to compare them."), this);
    status_->setObjectName(QStringLiteral("runsStatus"));
    status_->setWordWrap(true);

    details_ = new QTableWidget(this);
    details_->setObjectName(QStringLiteral("runDetails"));
    manifest_ = new QPlainTextEdit(this);
    manifest_->setObjectName(QStringLiteral("manifest"));
    manifest_->setReadOnly(true);
    manifest_->setFont(QFont(QStringLiteral("monospace"), 8));
    view_ = new ResultsView(this);
    view_->lossChart()->setVisible(false); // the store keeps epochs, not every batch
    compare_ = new QTableWidget(this);
    compare_->setObjectName(QStringLiteral("compareTable"));
    compare_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    compare_->verticalHeader()->setVisible(false);

    auto* resultsSplit = new QSplitter(Qt::Vertical, this);
    resultsSplit->addWidget(details_);
    resultsSplit->addWidget(view_);
    resultsSplit->setStretchFactor(1, 2);
    tabs_ = new QTabWidget(this);
    tabs_->addTab(resultsSplit, tr("Results and charts"));
    tabs_->addTab(manifest_, tr("Manifest and settings"));
    tabs_->addTab(compare_, tr("Comparison"));

    auto* buttons = new QHBoxLayout;
    for (auto* b : {refreshButton_, compareButton_, exportButton_, deleteButton_})
        buttons->addWidget(b);
    buttons->addStretch(1);
    auto* left = new QWidget(this);
    auto* ll = new QVBoxLayout(left);
    ll->setContentsMargins(0, 0, 0, 0);
    ll->addLayout(buttons);
    ll->addWidget(runs_, 1);
    ll->addWidget(status_);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(left);
    split->addWidget(tabs_);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 3);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);

    connect(refreshButton_, &QPushButton::clicked, this, [this] { refresh(); });
    connect(runs_, &QTableWidget::itemSelectionChanged, this, [this] {
        updateButtons();
        const auto ids = selectedIds();
        if (ids.size() == 1)
            showRun(ids[0]);
        else if (ids.size() == 2)
            compareRuns(ids[0], ids[1]);
    });
    connect(compareButton_, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.size() == 2) compareRuns(ids[0], ids[1]);
    });
    connect(exportButton_, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.size() != 1) return;
        const QString d = QFileDialog::getExistingDirectory(this, tr("Export the run into a folder"));
        if (!d.isEmpty()) exportRun(ids[0], d);
    });
    connect(deleteButton_, &QPushButton::clicked, this, [this] {
        const auto ids = selectedIds();
        if (ids.isEmpty()) return;
        if (QMessageBox::question(this, tr("Delete runs"),
                                  tr("Delete %n run(s) from the history? Their output folders stay on disk.", "",
                                     int(ids.size()))) != QMessageBox::Yes)
            return;
        for (auto id : ids)
            deleteRun(id);
    });
    refresh();
}

QString RunsPage::statusText() const
{
    return status_->text();
}

int RunsPage::runCount() const
{
    return runs_->rowCount();
}

void RunsPage::refresh(bool selectNewest)
{
    std::vector<RunInfo> runs;
    try {
        RunStore store;
        runs = store.list();
        std::reverse(runs.begin(), runs.end()); // newest first
    } catch (const std::exception& e) {
        status_->setText(tr("The run history cannot be read: %1").arg(QString::fromUtf8(e.what())));
    }
    const auto keep = selectNewest ? QList<std::int64_t>{} : selectedIds();
    runs_->blockSignals(true);
    runs_->clearSelection();
    runs_->setRowCount(int(runs.size()));
    for (int row = 0; row < int(runs.size()); ++row) {
        const auto& r = runs[std::size_t(row)];
        const QStringList cells{QString::number(r.id),
                                r.kind == "sweep" ? tr("sweep") : tr("study"),
                                QString::fromStdString(r.name),
                                statusName(r.status),
                                QString::fromStdString(r.created),
                                QString::number(r.resultCount),
                                QString::fromStdString(r.outDir)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(r.id));
            runs_->setItem(row, c, item);
        }
    }
    runs_->blockSignals(false);
    // keep the selection; else show the newest run
    if (!keep.isEmpty())
        selectRuns(keep);
    else if (runs_->rowCount() > 0)
        runs_->selectRow(0);
    updateButtons();
}

QList<std::int64_t> RunsPage::selectedIds() const
{
    QList<std::int64_t> ids;
    for (const auto& index : runs_->selectionModel()->selectedRows())
        ids << runs_->item(index.row(), 0)->data(Qt::UserRole).toLongLong();
    std::sort(ids.begin(), ids.end());
    return ids;
}

void RunsPage::selectRuns(const QList<std::int64_t>& ids)
{
    runs_->clearSelection();
    runs_->setSelectionMode(QAbstractItemView::MultiSelection);
    for (int row = 0; row < runs_->rowCount(); ++row)
        if (ids.contains(runs_->item(row, 0)->data(Qt::UserRole).toLongLong())) runs_->selectRow(row);
    runs_->setSelectionMode(QAbstractItemView::ExtendedSelection);
}

void RunsPage::updateButtons()
{
    const auto n = selectedIds().size();
    compareButton_->setEnabled(n == 2);
    exportButton_->setEnabled(n == 1);
    deleteButton_->setEnabled(n >= 1);
}

bool RunsPage::showRun(std::int64_t id)
{
    try {
        RunStore store;
        shown_ = store.show(id);
    } catch (const std::exception& e) {
        status_->setText(tr("Run %1 cannot be read: %2").arg(id).arg(QString::fromUtf8(e.what())));
        return false;
    }
    fillResultsTable(details_, shown_->results);
    view_->clear();
    for (const auto& e : shown_->epochs)
        view_->addEpoch(QString::fromStdString(e.model), e.summary);
    view_->setResults(shown_->results);
    manifest_->setPlainText(
        QString::fromStdString(nlohmann::json{{"manifest", shown_->manifest}, {"config", shown_->config}}.dump(2)));
    status_->setText(tr("Run %1 (%2): %3 rows, %4.")
                         .arg(id)
                         .arg(QString::fromStdString(shown_->info.name))
                         .arg(shown_->results.size())
                         .arg(statusName(shown_->info.status)));
    if (tabs_->currentIndex() == 2) tabs_->setCurrentIndex(0);
    return true;
}

bool RunsPage::compareRuns(std::int64_t a, std::int64_t b)
{
    RunDetails da, db;
    try {
        RunStore store;
        da = store.show(a);
        db = store.show(b);
    } catch (const std::exception& e) {
        status_->setText(tr("Cannot compare: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    // Rows matched by model (and sweep point), in run A's order then B's extras.
    std::vector<QString> names;
    std::map<QString, const ModelResult*> ra, rb;
    for (const auto& r : da.results) {
        names.push_back(rowName(r));
        ra[rowName(r)] = &r;
    }
    for (const auto& r : db.results) {
        if (!ra.count(rowName(r))) names.push_back(rowName(r));
        rb[rowName(r)] = &r;
    }
    std::vector<ResultColumnInfo> ms; // the measures compared, in table order
    for (const auto& c : resultColumns())
        if (c.compared) ms.push_back(c);
    compare_->clear();
    compare_->setColumnCount(5);
    compare_->setHorizontalHeaderLabels(
        {tr("Model"), tr("Measure"), tr("Run %1 (%2)").arg(a).arg(QString::fromStdString(da.info.name)),
         tr("Run %1 (%2)").arg(b).arg(QString::fromStdString(db.info.name)), tr("Change")});
    compare_->setRowCount(0);
    for (const auto& name : names) {
        for (const auto& m : ms) {
            const auto va = ra.count(name) ? resultCell(m.id, *ra[name]).value : std::nullopt;
            const auto vb = rb.count(name) ? resultCell(m.id, *rb[name]).value : std::nullopt;
            if (!va && !vb) continue;
            const int row = compare_->rowCount();
            compare_->insertRow(row);
            auto fmt = [&](const std::optional<double>& v) {
                return v ? QString::number(*v, 'f', m.decimals) : QStringLiteral("-");
            };
            QString change = QStringLiteral("-");
            QColor colour;
            if (va && vb) {
                const double d = *vb - *va;
                change = (d >= 0 ? QStringLiteral("+") : QString()) + QString::number(d, 'f', m.decimals);
                if (*va != 0 && m.id != ResultColumn::Accuracy)
                    change += QStringLiteral(" (%1%)").arg(100.0 * d / *va, 0, 'f', 1);
                if (d != 0) colour = ((d < 0) == m.lowerIsBetter) ? QColor(0, 128, 0) : QColor(180, 0, 0);
            }
            const QStringList cells{name, columnTitle(m.id), fmt(va), fmt(vb), change};
            for (int c = 0; c < cells.size(); ++c) {
                auto* item = new QTableWidgetItem(cells[c]);
                if (c >= 2) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                if (c == 4 && colour.isValid()) item->setForeground(colour);
                compare_->setItem(row, c, item);
            }
        }
    }
    compare_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    tabs_->setCurrentIndex(2);
    status_->setText(tr("Comparing run %1 with run %2 (green: better in run %2).").arg(a).arg(b));
    return true;
}

bool RunsPage::exportRun(std::int64_t id, const QString& dir)
{
    if (!shown_ || shown_->info.id != id) {
        if (!showRun(id)) return false;
    }
    try {
        EpochLog epochs;
        for (const auto& e : shown_->epochs)
            epochs.emplace_back(e.model, e.summary);
        const auto files = exportRunFolder(dir, shown_->results, epochs, shown_->config, shown_->manifest, view_);
        status_->setText(tr("Exported run %1: %2 files in %3").arg(id).arg(files.size()).arg(dir));
        return true;
    } catch (const std::exception& e) {
        status_->setText(tr("Export failed: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

bool RunsPage::deleteRun(std::int64_t id)
{
    try {
        RunStore store;
        store.remove(id);
    } catch (const std::exception& e) {
        status_->setText(tr("Run %1 cannot be deleted: %2").arg(id).arg(QString::fromUtf8(e.what())));
        return false;
    }
    if (shown_ && shown_->info.id == id) shown_.reset();
    logger()->info("run {} deleted from the history", id);
    refresh();
    return true;
}

} // namespace phinet::gui
