#include "RunsPage.h"

#include "Charts.h"
#include "ModelFiles.h"
#include "ResultsView.h"

#include "phinet/common/Log.h"

#include <QEvent>
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

QString kindName(const std::string& kind)
{
    return kind == "sweep" ? RunsPage::tr("sweep") : RunsPage::tr("study");
}

/// The run list's cells made from the store's words (kind, status), kept to translate them again.
constexpr int kStoreWordRole = Qt::UserRole + 1;

} // namespace

RunsPage::RunsPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runsPage"));
    runs_ = new QTableWidget(this);
    runs_->setObjectName(QStringLiteral("runsTable"));
    runs_->setColumnCount(7);
    runs_->setSelectionBehavior(QAbstractItemView::SelectRows);
    runs_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    runs_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    runs_->verticalHeader()->setVisible(false);
    runs_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    runs_->horizontalHeader()->setStretchLastSection(true);
    runs_->setMinimumHeight(140);
    refreshButton_ = new QPushButton(this);
    refreshButton_->setObjectName(QStringLiteral("refreshButton"));
    compareButton_ = new QPushButton(this);
    compareButton_->setObjectName(QStringLiteral("compareButton"));
    exportButton_ = new QPushButton(this);
    exportButton_->setObjectName(QStringLiteral("exportRunButton"));
    deleteButton_ = new QPushButton(this);
    deleteButton_->setObjectName(QStringLiteral("deleteRunButton"));
    exportModelButton_ = new QPushButton(this);
    exportModelButton_->setObjectName(QStringLiteral("exportRunModelButton"));
    exportModelButton_->setEnabled(false);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("runsStatus"));
    status_->setWordWrap(true);

    details_ = new QTableWidget(this);
    details_->setObjectName(QStringLiteral("runDetails"));
    details_->setSelectionBehavior(QAbstractItemView::SelectRows);
    details_->setSelectionMode(QAbstractItemView::SingleSelection);
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
    tabs_->addTab(resultsSplit, QString());
    tabs_->addTab(manifest_, QString());
    tabs_->addTab(compare_, QString());

    auto* buttons = new QHBoxLayout;
    for (auto* b : {refreshButton_, compareButton_, exportButton_, exportModelButton_, deleteButton_})
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
    showStatus([] { return tr("Select a run to see it; select two to compare them."); });
    retranslate();

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
    connect(details_, &QTableWidget::itemSelectionChanged, this,
            [this] { exportModelButton_->setEnabled(!selectedModelFile().isEmpty()); });
    connect(exportModelButton_, &QPushButton::clicked, this, [this] {
        if (const QString f = selectedModelFile(); !f.isEmpty()) Q_EMIT exportModelRequested(f);
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

void RunsPage::retranslate()
{
    runs_->setHorizontalHeaderLabels(
        {tr("Id"), tr("Kind"), tr("Name"), tr("Status"), tr("Started (UTC)"), tr("Rows"), tr("Folder")});
    refreshButton_->setText(tr("Refresh"));
    compareButton_->setText(tr("Compare the two selected"));
    exportButton_->setText(tr("Export folder..."));
    exportModelButton_->setText(tr("Export model..."));
    exportModelButton_->setToolTip(
        tr("The selected result row's model (from the run's folder) as ONNX (FP32 or INT8 QDQ) or micromind "
           "safetensors"));
    deleteButton_->setText(tr("Delete"));
    tabs_->setTabText(0, tr("Results and charts"));
    tabs_->setTabText(1, tr("Manifest and settings"));
    tabs_->setTabText(2, tr("Comparison"));
    if (compared_)
        compare_->setHorizontalHeaderLabels({tr("Model"), tr("Measure"),
                                             tr("Run %1 (%2)").arg(compared_->a).arg(compared_->nameA),
                                             tr("Run %1 (%2)").arg(compared_->b).arg(compared_->nameB), tr("Change")});
}

void RunsPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        // the texts made from the store's words and the shown run, in the new language
        for (int row = 0; row < runs_->rowCount(); ++row) {
            if (auto* kind = runs_->item(row, 1))
                kind->setText(kindName(kind->data(kStoreWordRole).toString().toStdString()));
            if (auto* status = runs_->item(row, 3))
                status->setText(statusName(status->data(kStoreWordRole).toString().toStdString()));
        }
        if (shown_) fillResultsTable(details_, shown_->results);
        if (statusText_) status_->setText(statusText_());
    }
    QWidget::changeEvent(event);
}

void RunsPage::showStatus(std::function<QString()> text)
{
    statusText_ = std::move(text);
    status_->setText(statusText_());
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
        showStatus([why = QString::fromUtf8(e.what())] { return tr("The run history cannot be read: %1").arg(why); });
    }
    const auto keep = selectNewest ? QList<std::int64_t>{} : selectedIds();
    runs_->blockSignals(true);
    runs_->clearSelection();
    runs_->setRowCount(int(runs.size()));
    for (int row = 0; row < int(runs.size()); ++row) {
        const auto& r = runs[std::size_t(row)];
        const QStringList cells{QString::number(r.id),
                                kindName(r.kind),
                                QString::fromStdString(r.name),
                                statusName(r.status),
                                QString::fromStdString(r.created),
                                QString::number(r.resultCount),
                                QString::fromStdString(r.outDir)};
        for (int c = 0; c < cells.size(); ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setData(Qt::UserRole, QVariant::fromValue<qlonglong>(r.id));
            if (c == 1) item->setData(kStoreWordRole, QString::fromStdString(r.kind));
            if (c == 3) item->setData(kStoreWordRole, QString::fromStdString(r.status));
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
        showStatus(
            [id, why = QString::fromUtf8(e.what())] { return tr("Run %1 cannot be read: %2").arg(id).arg(why); });
        return false;
    }
    fillResultsTable(details_, shown_->results);
    exportModelButton_->setEnabled(false); // until a row is chosen
    view_->clear();
    for (const auto& e : shown_->epochs)
        view_->addEpoch(QString::fromStdString(e.model), e.summary);
    view_->setResults(shown_->results);
    manifest_->setPlainText(
        QString::fromStdString(nlohmann::json{{"manifest", shown_->manifest}, {"config", shown_->config}}.dump(2)));
    showStatus([id, name = QString::fromStdString(shown_->info.name), rows = shown_->results.size(),
                status = shown_->info.status] {
        return tr("Run %1 (%2): %3 rows, %4.").arg(id).arg(name).arg(rows).arg(statusName(status));
    });
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
        showStatus([why = QString::fromUtf8(e.what())] { return tr("Cannot compare: %1").arg(why); });
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
    compared_ = Compared{a, QString::fromStdString(da.info.name), b, QString::fromStdString(db.info.name)};
    retranslate(); // the headers
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
    showStatus([a, b] { return tr("Comparing run %1 with run %2 (green: better in run %2).").arg(a).arg(b); });
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
        showStatus(
            [id, n = files.size(), dir] { return tr("Exported run %1: %2 files in %3").arg(id).arg(n).arg(dir); });
        return true;
    } catch (const std::exception& e) {
        showStatus([why = QString::fromUtf8(e.what())] { return tr("Export failed: %1").arg(why); });
        return false;
    }
}

bool RunsPage::deleteRun(std::int64_t id)
{
    try {
        RunStore store;
        store.remove(id);
    } catch (const std::exception& e) {
        showStatus(
            [id, why = QString::fromUtf8(e.what())] { return tr("Run %1 cannot be deleted: %2").arg(id).arg(why); });
        return false;
    }
    if (shown_ && shown_->info.id == id) shown_.reset();
    logger()->info("run {} deleted from the history", id);
    refresh();
    return true;
}

QString RunsPage::selectedModelFile() const
{
    if (!shown_) return {};
    const auto rows = details_->selectionModel() ? details_->selectionModel()->selectedRows() : QModelIndexList{};
    const int row = rows.isEmpty() ? details_->currentRow() : rows.front().row();
    if (row < 0 || row >= int(shown_->results.size())) return {};
    return ModelFiles::modelFileOf(QString::fromStdString(shown_->info.outDir), shown_->results[std::size_t(row)]);
}

} // namespace phinet::gui
