#include "ModelFiles.h"

#include "JobRunner.h"

#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLocale>

#include <memory>

namespace phinet::gui {

namespace {

QString formatLabel(ExportFormat f)
{
    switch (f) {
    case ExportFormat::Onnx:
        return QCoreApplication::translate("phinet::gui::ModelFiles", "ONNX, FP32 (BatchNorm folded, opset 17)");
    case ExportFormat::OnnxInt8:
        return QCoreApplication::translate("phinet::gui::ModelFiles",
                                           "ONNX, INT8 QDQ (ONNX Runtime, TensorRT, ST Edge AI)");
    case ExportFormat::SafeTensors:
        return QCoreApplication::translate("phinet::gui::ModelFiles",
                                           "safetensors with micromind's names (PyTorch load_state_dict)");
    }
    return {};
}

} // namespace

ModelFiles::ModelFiles(QWidget* dialogParent)
    : QObject(dialogParent), dialogParent_(dialogParent), runner_(new JobRunner(this))
{
    qRegisterMetaType<phinet::ModelFileInfo>();
}

ModelFiles::~ModelFiles()
{
    runner_->cancel();
    runner_->wait();
}

QStringList ModelFiles::modelSuffixes()
{
    return {QStringLiteral("ckpt"), QStringLiteral("safetensors"), QStringLiteral("int8")};
}

bool ModelFiles::isModelFile(const QString& path)
{
    const QFileInfo fi(path);
    return fi.isFile() && modelSuffixes().contains(fi.suffix().toLower());
}

std::vector<ExportFormat> ModelFiles::formatsFor(const QString& modelFile)
{
    if (QFileInfo(modelFile).suffix().compare(QLatin1String("int8"), Qt::CaseInsensitive) == 0)
        return {ExportFormat::OnnxInt8};
    return {ExportFormat::Onnx, ExportFormat::SafeTensors};
}

QString ModelFiles::modelFileOf(const QString& outDir, const ModelResult& row)
{
    if (outDir.isEmpty() || !row.sweepKnob.empty() || row.model.empty()) return {};
    const QString file = outDir + QLatin1Char('/') + QString::fromStdString(row.model) +
                         (row.precision == Precision::Fp32 ? QStringLiteral(".ckpt") : QStringLiteral(".int8"));
    return QFileInfo(file).isFile() ? file : QString();
}

bool ModelFiles::isBusy() const
{
    return runner_->isRunning();
}

void ModelFiles::wait()
{
    runner_->wait();
}

bool ModelFiles::open(const QString& path, const PhiNetConfig& fallback, const DataConfig& fallbackData)
{
    auto info = std::make_shared<ModelFileInfo>();
    const std::string file = path.toStdString();
    // one connection per job: the runner's finished() is this job's
    auto* context = new QObject(this);
    connect(runner_, &JobRunner::finished, context,
            [this, info, context](bool ok, bool cancelled, const QString& message, const QString&, const RunReport&) {
                context->deleteLater();
                if (ok) {
                    current_ = *info;
                    Q_EMIT opened(*info);
                } else {
                    Q_EMIT failed(cancelled ? tr("Opening the model was cancelled.") : message);
                }
            });
    const bool started = runner_->startTask([info, file, fallback, fallbackData](const CancelToken&) {
        *info = inspectModelFile(file, fallback, fallbackData);
        return std::string();
    });
    if (!started) {
        delete context;
        Q_EMIT failed(tr("Another model file is being read or written; try again when it has finished."));
    }
    return started;
}

bool ModelFiles::startExport(const QString& modelFile, ExportFormat format, const QString& out)
{
    auto result = std::make_shared<ExportResult>();
    const std::string in = modelFile.toStdString(), to = out.toStdString();
    auto* context = new QObject(this);
    connect(runner_, &JobRunner::finished, context,
            [this, result, context, format](bool ok, bool cancelled, const QString& message, const QString&,
                                            const RunReport&) {
                context->deleteLater();
                if (!ok) {
                    Q_EMIT failed(cancelled ? tr("The export was cancelled.") : message);
                    return;
                }
                const QString path = QString::fromStdString(result->path.string());
                const QString size = QLocale().formattedDataSize(result->bytes);
                Q_EMIT exported(path, format == ExportFormat::SafeTensors
                                          ? tr("%1: %2, %3 tensors").arg(formatLabel(format), size).arg(result->tensors)
                                          : tr("%1: %2, %3 nodes, %4 initializers")
                                                .arg(formatLabel(format), size)
                                                .arg(result->nodes)
                                                .arg(result->tensors));
            });
    // a micromind file without a config exports as the network it was opened as
    ExportOptions options;
    if (current_ && current_->path == std::filesystem::path(in) && !current_->configFromFile) {
        options.fallbackConfig = current_->config;
        options.fallbackData = current_->data;
    }
    const bool started = runner_->startTask([result, in, to, format, options](const CancelToken&) {
        *result = exportModel(in, format, to, options);
        return std::string();
    });
    if (!started) {
        delete context;
        Q_EMIT failed(tr("Another model file is being read or written; try again when it has finished."));
    }
    return started;
}

void ModelFiles::exportWithDialog(const QString& modelFile)
{
    if (modelFile.isEmpty() || !QFileInfo::exists(modelFile)) {
        Q_EMIT failed(tr("There is no model file to export: %1").arg(modelFile));
        return;
    }
    const auto formats = formatsFor(modelFile);
    QStringList labels;
    for (auto f : formats)
        labels << formatLabel(f);
    bool ok = true;
    const QString chosen =
        labels.size() == 1
            ? labels.front()
            : QInputDialog::getItem(dialogParent_, tr("Export model"),
                                    tr("Format for %1:").arg(QFileInfo(modelFile).fileName()), labels, 0, false, &ok);
    if (!ok) return;
    const ExportFormat format = formats[size_t(std::max<qsizetype>(0, labels.indexOf(chosen)))];
    const QFileInfo in(modelFile);
    const QString suggested =
        in.absolutePath() + QLatin1Char('/') + in.completeBaseName() + QString::fromStdString(defaultSuffix(format));
    const QString filter =
        format == ExportFormat::SafeTensors ? tr("safetensors files (*.safetensors)") : tr("ONNX models (*.onnx)");
    const QString out = QFileDialog::getSaveFileName(dialogParent_, tr("Export model"), suggested, filter);
    if (out.isEmpty()) return;
    startExport(modelFile, format, out);
}

} // namespace phinet::gui
