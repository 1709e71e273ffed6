// Models in and out of the window: open the workbench's FP32 and INT8 files and micromind-named
// safetensors (File > Open model..., a dropped file), export them from the window, and a study on
// the opened weights (its MODIFIED stage evaluates the file instead of training).
#include "GuiTestPresets.h"
#include "MainWindow.h"
#include "ModelFiles.h"
#include "ModelPage.h"
#include "RunPage.h"

#include "phinet/experiment/Experiment.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QPushButton>
#include <QTableWidget>
#include <QLabel>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace phinet;
using namespace phinet::gui;
namespace fs = std::filesystem;

namespace {

bool waitFor(QSignalSpy& spy, int ms = 120000)
{
    return !spy.isEmpty() || spy.wait(ms);
}

} // namespace

class TestModelFiles : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path run_;     ///< a tiny study's folder: modified-fp32.ckpt and modified-ptq-int8.int8
    PhiNetConfig net_; ///< its MODIFIED network
    double fp32Acc_ = 0;

private Q_SLOTS:
    void initTestCase()
    {
        // a trained MODIFIED network and its PTQ model, in seconds
        auto cfg = *test::shrunkQuickPreset("mf", 256, 100, 1, 1).study;
        cfg.model.alpha = 0.5;
        cfg.model.numLayers = 4;
        cfg.stages = {false, true, true, false, false};
        run_ = fs::path(tmp_.path().toStdString()) / "trained";
        const auto r = runExperiment(cfg, run_);
        QVERIFY(fs::exists(run_ / "modified-fp32.ckpt") && fs::exists(run_ / "modified-ptq-int8.int8"));
        net_ = cfg.modifiedModel();
        fp32Acc_ = *r.models.front().accuracyPct;
        Preset p = test::shrunkQuickPreset("mf-study", 256, 100, 1, 1);
        saveUserPreset(p);
    }

    void suffixesAndFormats()
    {
        const QString ckpt = QString::fromStdString((run_ / "modified-fp32.ckpt").string());
        QVERIFY(ModelFiles::isModelFile(ckpt));
        QVERIFY(!ModelFiles::isModelFile(QString::fromStdString((run_ / "results.json").string())));
        QVERIFY(!ModelFiles::isModelFile(tmp_.filePath(QStringLiteral("missing.ckpt"))));
        QCOMPARE(int(ModelFiles::formatsFor(QStringLiteral("m.int8")).size()), 1);
        QVERIFY(ModelFiles::formatsFor(QStringLiteral("m.int8")).front() == ExportFormat::OnnxInt8);
        QCOMPARE(int(ModelFiles::formatsFor(QStringLiteral("m.safetensors")).size()), 2);
    }

    void openAndExportEachKind()
    {
        QWidget parent;
        ModelFiles files(&parent);
        QSignalSpy opened(&files, &ModelFiles::opened), failed(&files, &ModelFiles::failed),
            exported(&files, &ModelFiles::exported);
        // FP32 checkpoint: its network, then ONNX
        const QString ckpt = QString::fromStdString((run_ / "modified-fp32.ckpt").string());
        QVERIFY(files.open(ckpt, PhiNetConfig{}, DataConfig{}));
        QVERIFY(waitFor(opened));
        QVERIFY(failed.isEmpty());
        const auto info = opened.takeFirst().at(0).value<ModelFileInfo>();
        QVERIFY(info.type == ModelFileType::WorkbenchFp32);
        QVERIFY(info.config == net_);
        QVERIFY(files.current().has_value());
        const QString onnx = tmp_.filePath(QStringLiteral("m.onnx"));
        QVERIFY(files.startExport(ckpt, ExportFormat::Onnx, onnx));
        QVERIFY(waitFor(exported));
        QCOMPARE(exported.first().at(0).toString(), onnx);
        QVERIFY(exported.takeFirst().at(1).toString().contains(QStringLiteral("nodes")));
        QVERIFY(QFileInfo(onnx).size() > 1000);
        // safetensors with micromind's names, opened again as a micromind file
        const QString st = tmp_.filePath(QStringLiteral("m.safetensors"));
        QVERIFY(files.startExport(ckpt, ExportFormat::SafeTensors, st));
        QVERIFY(waitFor(exported));
        exported.clear();
        QVERIFY(files.open(st, PhiNetConfig{}, DataConfig{}));
        QVERIFY(waitFor(opened));
        QVERIFY(opened.takeFirst().at(0).value<ModelFileInfo>().type == ModelFileType::MicromindFp32);
        // INT8 file: INT8 ONNX
        const QString int8 = QString::fromStdString((run_ / "modified-ptq-int8.int8").string());
        QVERIFY(files.open(int8, PhiNetConfig{}, DataConfig{}));
        QVERIFY(waitFor(opened));
        QVERIFY(opened.takeFirst().at(0).value<ModelFileInfo>().type == ModelFileType::WorkbenchInt8);
        const QString qdq = tmp_.filePath(QStringLiteral("m.int8.onnx"));
        QVERIFY(files.startExport(int8, ExportFormat::OnnxInt8, qdq));
        QVERIFY(waitFor(exported));
        QVERIFY(QFileInfo(qdq).size() > 0 && QFileInfo(qdq).size() < QFileInfo(onnx).size());
        QVERIFY(failed.isEmpty());
        // a file that is no model: the message names it, nothing is opened
        const QString bad = tmp_.filePath(QStringLiteral("bad.ckpt"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a model file at all");
        }
        QVERIFY(files.open(bad, PhiNetConfig{}, DataConfig{}));
        QVERIFY(waitFor(failed));
        QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("bad.ckpt")),
                 qPrintable(failed.first().at(0).toString()));
        QVERIFY(files.current()->type == ModelFileType::WorkbenchInt8); // the last good one stays
        // the wrong precision for a format: the core's message
        failed.clear();
        QVERIFY(files.startExport(ckpt, ExportFormat::OnnxInt8, tmp_.filePath(QStringLiteral("w.onnx"))));
        QVERIFY(waitFor(failed));
        QVERIFY(!QFileInfo::exists(tmp_.filePath(QStringLiteral("w.onnx"))));
    }

    void windowOpensRunsAndExports()
    {
        MainWindow w;
        QVERIFY(w.runPage()->selectPreset(QStringLiteral("mf-study")));
        QSignalSpy opened(w.modelFiles(), &ModelFiles::opened);
        // dropped on the window: a micromind-named file of the trained network
        const QString st = tmp_.filePath(QStringLiteral("dropped.safetensors"));
        exportModel(run_ / "modified-fp32.ckpt", ExportFormat::SafeTensors, st.toStdString());
        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(st)});
        QDragEnterEvent enter(QPoint(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(&w, &drop);
        QVERIFY(waitFor(opened));
        // its network in the Model area, its weights in the next Run instead of training MODIFIED
        QVERIFY(w.modelPage()->config() == net_);
        QCOMPARE(w.givenWeights(), st);
        QCOMPARE(QString::fromStdString(w.runPage()->currentStudy()->weights.modified), st);
        QVERIFY(w.runPage()->givenWeightsText().contains(QStringLiteral("dropped.safetensors")));
        QVERIFY(w.findChild<QAction*>(QStringLiteral("exportModelAction"))->isEnabled());

        w.runPage()->setOutputDir(tmp_.filePath(QStringLiteral("given-run")));
        QSignalSpy done(w.runPage(), &RunPage::runFinished);
        w.runPage()->run();
        QVERIFY(waitFor(done, 300000));
        QVERIFY(done.first().at(0).toBool());
        const auto& rows = w.runPage()->results();
        const auto m = std::find_if(rows.begin(), rows.end(), [](const auto& r) { return r.model == "modified-fp32"; });
        QVERIFY(m != rows.end());
        // the same weights on the same test images as the study that trained them
        QCOMPARE(*m->accuracyPct, fp32Acc_);
        QVERIFY(!m->trainSeconds.has_value());

        // a result row's model file, exported from the window
        auto* table = w.runPage()->resultsTable();
        table->selectRow(int(m - rows.begin()));
        const QString file = w.runPage()->selectedModelFile();
        QCOMPARE(file, tmp_.filePath(QStringLiteral("given-run/modified-fp32.ckpt")));
        QVERIFY(w.runPage()->findChild<QPushButton*>(QStringLiteral("exportModelButton"))->isEnabled());
        QSignalSpy exported(w.modelFiles(), &ModelFiles::exported);
        QVERIFY(w.modelFiles()->startExport(file, ExportFormat::Onnx, tmp_.filePath(QStringLiteral("row.onnx"))));
        QVERIFY(waitFor(exported));
        QVERIFY(QFileInfo(tmp_.filePath(QStringLiteral("row.onnx"))).size() > 1000);

        // "Train again" forgets them
        w.runPage()->findChild<QPushButton*>(QStringLiteral("forgetWeights"))->click();
        QVERIFY(w.givenWeights().isEmpty());
        QVERIFY(w.runPage()->currentStudy()->weights.modified.empty());
    }
};

QTEST_MAIN(TestModelFiles)
#include "tst_modelfiles.moc"
