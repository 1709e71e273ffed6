#pragma once
// Model files in and out of the workbench's window: File > Open model... and a file dropped on the
// window (the workbench's FP32 and INT8 files, micromind-named safetensors), and "Export model..."
// (File menu, the Run and Runs areas' results) to ONNX, INT8 ONNX (QDQ) or micromind safetensors.
// Reading and writing run on a job thread (JobRunner) with the core's Torch-free ModelExport API.

#include "phinet/export/ModelExport.h"
#include "phinet/report/Results.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <optional>

class QWidget;

namespace phinet::gui {

class JobRunner;

class ModelFiles : public QObject {
    Q_OBJECT
public:
    /// `dialogParent`: the window the file dialogs belong to.
    explicit ModelFiles(QWidget* dialogParent);
    ~ModelFiles() override;

    /// The suffixes of the files open() reads (".ckpt", ".safetensors", ".int8").
    static QStringList modelSuffixes();
    /// True for a local file whose suffix open() reads (drops are checked with this).
    static bool isModelFile(const QString& path);
    /// The formats a model file exports to: INT8 files to onnx-int8, FP32 files to onnx and safetensors.
    static std::vector<ExportFormat> formatsFor(const QString& modelFile);
    /// The model file of a study's result row in its output folder ("<dir>/modified-fp32.ckpt",
    /// "<dir>/modified-ptq-int8.int8"); empty for sweep rows and files that are not there.
    static QString modelFileOf(const QString& outDir, const ModelResult& row);

    /// Inspects `path` on the job thread; opened() or failed() follows. A micromind file without a
    /// config in its metadata is read as `fallback` (the Model area's network) on `fallbackData`.
    bool open(const QString& path, const PhiNetConfig& fallback, const DataConfig& fallbackData);
    /// Asks for the format and the file to write, then exports `modelFile`; exported() or failed().
    void exportWithDialog(const QString& modelFile);
    /// Exports `modelFile` to `out` as `format` on the job thread (no dialog); exported() or failed().
    bool startExport(const QString& modelFile, ExportFormat format, const QString& out);
    /// The model open() read last (empty before).
    const std::optional<ModelFileInfo>& current() const { return current_; }
    bool isBusy() const;
    /// Blocks until the job thread has returned (tests, closing the window).
    void wait();
    JobRunner* runner() const { return runner_; }

Q_SIGNALS:
    void opened(const phinet::ModelFileInfo& info);
    /// `summary`: format, size and contents of the written file, for the status bar.
    void exported(const QString& path, const QString& summary);
    void failed(const QString& message);

private:
    QWidget* dialogParent_;
    JobRunner* runner_;
    std::optional<ModelFileInfo> current_;
};

} // namespace phinet::gui

Q_DECLARE_METATYPE(phinet::ModelFileInfo)
