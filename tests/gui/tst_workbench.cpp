// The settings areas and the Runs area, offscreen: presets fill the forms, the forms drive the run and
// save as presets, settings survive a restart, the Data area previews and imports data sets, a sweep
// fills the sweep charts, two runs compare side by side.
#include "Charts.h"
#include "GuiTestPresets.h"
#include "DataPage.h"
#include "MainWindow.h"
#include "ModelPage.h"
#include "ResultsView.h"
#include "RunPage.h"
#include "RunsPage.h"
#include "SettingsPages.h"

#include "phinet/common/Paths.h"
#include "phinet/experiment/ExperimentConfig.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QImage>
#include <QProcess>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest/QtTest>

using namespace phinet;
using namespace phinet::gui;

class TestWorkbench : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    static bool waitFinished(QSignalSpy& spy, int ms) { return spy.count() > 0 || spy.wait(ms); }

private Q_SLOTS:
    void initTestCase()
    {
        // this test's data folder outlives a run: start from a clean state
        QSettings().clear();
        std::filesystem::remove_all(importTarget(DatasetKind::Mnist));
        std::filesystem::remove_all(importTarget(DatasetKind::Cifar10));
        Preset p = test::shrunkQuickPreset("wb-study", 256, 100, 1, 1);
        auto& c = *p.study;
        c.stages.qat = false;
        c.bench.runs = 3;
        saveUserPreset(p);

        Preset s = findPreset("sweep-quick");
        s.name = "wb-sweep";
        s.sweep->values = {0.25, 0.5};
        s.sweep->bench.runs = 3;
        s.sweep->bench.warmup = 1;
        s.sweep->bench.threads = 1;
        saveUserPreset(s);
    }

    void presetFillsEveryForm()
    {
        MainWindow w;
        const auto preset = findPreset("wb-study");
        QVERIFY(w.runPage()->selectPreset(QStringLiteral("wb-study")));
        QCOMPARE(w.trainingPage()->modified().epochs, 1);
        QCOMPARE(w.trainingPage()->original().lr, preset.study->trainOriginal.lr);
        QCOMPARE(w.trainingPage()->stages().qat, false);
        QCOMPARE(w.quantPage()->config().calibrationBatches, 1);
        QCOMPARE(w.benchPage()->config().runs, 3);
        QCOMPARE(w.dataPage()->config().limitTrain, std::int64_t(256));
        QCOMPARE(w.modelPage()->config(), preset.study->modifiedModel());
        // what the forms hold is what runs
        const auto a = toJson(*w.runPage()->currentStudy()), b = toJson(*preset.study);
        QVERIFY2(a == b, qPrintable(QString::fromStdString(nlohmann::json::diff(b, a).dump())));
        QVERIFY(!w.runPage()->settingsEdited());
        auto* info = w.runPage()->findChild<QLabel*>(QStringLiteral("presetInfo"));
        QVERIFY(!info->text().contains(QStringLiteral("Edited")));
        // an edit anywhere is announced in the Run area
        w.benchPage()->findChild<QSpinBox*>(QStringLiteral("warmup"))->setValue(4);
        QVERIFY(w.runPage()->settingsEdited());
        QVERIFY(info->text().contains(QStringLiteral("Edited in the settings areas")));
    }

    void formEditsReachTheRunAndSaveAsPreset()
    {
        MainWindow w;
        QVERIFY(w.runPage()->selectPreset(QStringLiteral("wb-study")));
        w.trainingPage()->modifiedForm()->findChild<QSpinBox*>(QStringLiteral("epochs"))->setValue(3);
        auto* observer = w.quantPage()->findChild<QComboBox*>(QStringLiteral("observer"));
        observer->setCurrentIndex(observer->findData(QStringLiteral("minmax")));
        w.benchPage()->findChild<QSpinBox*>(QStringLiteral("runs"))->setValue(7);
        // a field the page has no code of its own for: read through the core's field list by its key
        w.quantPage()->findChild<QDoubleSpinBox*>(QStringLiteral("averaging_constant"))->setValue(0.05);
        w.dataPage()->findChild<QSpinBox*>(QStringLiteral("limit_test"))->setValue(50);
        auto study = *w.runPage()->currentStudy();
        QCOMPARE(study.trainModified.epochs, 3);
        QVERIFY(study.quant.observer == ObserverKind::MinMax);
        QCOMPARE(study.bench.runs, 7);
        QCOMPARE(study.quant.averagingConstant, 0.05);
        QCOMPARE(study.data.limitTest, std::int64_t(50));

        QVERIFY(w.runPage()->savePreset(QStringLiteral("wb-mine"), QStringLiteral("edited")));
        QCOMPARE(w.runPage()->presetName(), QStringLiteral("wb-mine"));
        const auto saved = findPreset("wb-mine");
        QVERIFY(QFileInfo::exists(QString::fromStdString((userDataDir() / "presets" / "wb-mine.json").string())));
        QCOMPARE(saved.study->trainModified.epochs, 3);
        QVERIFY(saved.study->quant.observer == ObserverKind::MinMax);
        QCOMPARE(saved.description, std::string("edited"));

        // a fresh window loads the saved preset into the forms
        MainWindow w2;
        QVERIFY(w2.runPage()->selectPreset(QStringLiteral("wb-mine")));
        QCOMPARE(w2.trainingPage()->modified().epochs, 3);
        QCOMPARE(w2.benchPage()->config().runs, 7);
    }

    void refusedRunMarksTheField()
    {
        // Run with PTQ on and MODIFIED training off: refused, and the checkbox of the field the core
        // names (stages.train_modified) is marked in the Training area
        MainWindow w;
        QVERIFY(w.runPage()->selectPreset(QStringLiteral("wb-study")));
        w.runPage()->setOutputDir(tmp_.filePath(QStringLiteral("refused")));
        auto* trainModified = w.trainingPage()->findChild<QCheckBox*>(QStringLiteral("stage_train_modified"));
        auto* ptq = w.trainingPage()->findChild<QCheckBox*>(QStringLiteral("stage_ptq"));
        QVERIFY(trainModified && ptq);
        ptq->setChecked(true);
        trainModified->setChecked(false);
        w.runPage()->run();
        QVERIFY(!w.runPage()->isRunning());
        const auto* status = w.runPage()->findChild<QLabel*>(QStringLiteral("status"));
        QVERIFY(status);
        QVERIFY2(status->text().contains(QStringLiteral("stages.train_modified")) &&
                     status->text().contains(QStringLiteral("Training")),
                 qPrintable(status->text()));
        QCOMPARE(trainModified->property("invalid").toBool(), true);
        QVERIFY(trainModified->toolTip().contains(QStringLiteral("stages.train_modified")));
        // the next refused Run clears it and marks the field of its own problem (a sweep value that
        // is not a number, in the Run area itself)
        trainModified->setChecked(true);
        QVERIFY(w.runPage()->selectPreset(QStringLiteral("wb-sweep")));
        auto* values = w.runPage()->findChild<QLineEdit*>(QStringLiteral("sweepValues"));
        values->setText(QStringLiteral("0.5, wide"));
        w.runPage()->run();
        QVERIFY(!w.runPage()->isRunning());
        QCOMPARE(trainModified->property("invalid").toBool(), false);
        QCOMPARE(values->property("invalid").toBool(), true);
        QVERIFY2(status->text().contains(QStringLiteral("sweep.values")), qPrintable(status->text()));
        QVERIFY(!QFileInfo::exists(tmp_.filePath(QStringLiteral("refused"))));
    }

    void settingsPersistAcrossSessions()
    {
        {
            MainWindow w;
            QVERIFY(w.runPage()->selectPreset(QStringLiteral("wb-study")));
            w.quantPage()->findChild<QSpinBox*>(QStringLiteral("calib_batches"))->setValue(9);
            w.modelPage()->findChild<QDoubleSpinBox*>(QStringLiteral("alpha"))->setValue(0.75);
            w.runPage()->setOutputDir(tmp_.filePath(QStringLiteral("kept")));
            w.close(); // saves the forms
        }
        MainWindow w;
        QCOMPARE(w.runPage()->presetName(), QStringLiteral("wb-study"));
        QCOMPARE(w.quantPage()->config().calibrationBatches, 9);
        QCOMPARE(w.modelPage()->config().alpha, 0.75);
        QCOMPARE(w.runPage()->outputDir(), tmp_.filePath(QStringLiteral("kept")));
        // choosing the preset again restores its own values
        QVERIFY(w.runPage()->selectPreset(QStringLiteral("wb-study")));
        QCOMPARE(w.quantPage()->config().calibrationBatches, 1);
    }

    void dataAreaShowsSamples()
    {
        DataPage page;
        DataConfig c; // MNIST: the bundled subset
        page.setConfig(c);
        QSignalSpy done(&page, &DataPage::previewFinished);
        page.loadPreview();
        QVERIFY(waitFinished(done, 60000));
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QCOMPARE(page.sampleCount(), 40);
        // every class appears in the grid, each image 28x28 scaled
        auto* grid = page.findChild<QListWidget*>(QStringLiteral("sampleGrid"));
        QSet<QString> labels;
        for (int i = 0; i < grid->count(); ++i)
            labels << grid->item(i)->text();
        QCOMPARE(labels.size(), 10);
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("dataInfo"))->text().contains(QStringLiteral("1x28x28")));
    }

    void dataAreaReportsBadFolder()
    {
        DataPage page;
        DataConfig c;
        c.dataDir = tmp_.filePath(QStringLiteral("no-such-folder")).toStdString();
        page.setConfig(c);
        QSignalSpy done(&page, &DataPage::previewFinished);
        page.loadPreview();
        QVERIFY(waitFinished(done, 60000));
        QCOMPARE(done.first().at(0).toBool(), false);
        QVERIFY2(done.first().at(1).toString().contains(QStringLiteral("no-such-folder")),
                 qPrintable(done.first().at(1).toString()));
        QCOMPARE(page.sampleCount(), 0);
        // the page stays usable: the bundled subset loads next
        page.setConfig(DataConfig{});
        done.clear();
        page.loadPreview();
        QVERIFY(waitFinished(done, 60000));
        QVERIFY(done.first().at(0).toBool());
    }

    void dataAreaImportsADataSet()
    {
        DataPage page;
        page.setConfig(DataConfig{});
        QSignalSpy imported(&page, &DataPage::importFinished);
        // a folder that is not MNIST: refused, nothing created
        QDir().mkpath(tmp_.filePath(QStringLiteral("empty")));
        page.importFrom(tmp_.filePath(QStringLiteral("empty")));
        QVERIFY(waitFinished(imported, 60000));
        QCOMPARE(imported.first().at(0).toBool(), false);
        QVERIFY(!QFileInfo::exists(QString::fromStdString(importTarget(DatasetKind::Mnist).string())));
        // the bundled subset imports; the default MNIST folder is now the copy
        imported.clear();
        page.importFrom(QStringLiteral(PHINET_SOURCE_DIR "/resources/data/mnist-subset"));
        QVERIFY(waitFinished(imported, 60000));
        QVERIFY2(imported.first().at(0).toBool(), qPrintable(imported.first().at(1).toString()));
        const auto target = importTarget(DatasetKind::Mnist);
        QVERIFY(std::filesystem::exists(target / "train-images-idx3-ubyte.gz"));
        QCOMPARE(resolveDataDir(DataConfig{}), target);
        // a failed import leaves the earlier copy in place
        QTRY_VERIFY_WITH_TIMEOUT(!page.isBusy(), 60000); // the preview the import started
        imported.clear();
        page.importFrom(tmp_.filePath(QStringLiteral("empty")));
        QVERIFY(waitFinished(imported, 60000));
        QCOMPARE(imported.first().at(0).toBool(), false);
        QVERIFY(std::filesystem::exists(target / "train-images-idx3-ubyte.gz"));
        std::filesystem::remove_all(target);
        QTRY_VERIFY_WITH_TIMEOUT(!page.isBusy(), 60000); // the preview the import started
    }

    void dataAreaUnpacksAnArchive()
    {
        // a small image tree (two classes, 12x12 RGB) packed as .tar.gz, as the CIFAR-10 JPEG tree is
        QDir root(tmp_.filePath(QStringLiteral("tree")));
        for (const char* split : {"train", "test"})
            for (const char* cls : {"cat", "dog"})
                for (int i = 0; i < (QLatin1String(split) == QLatin1String("train") ? 4 : 2); ++i) {
                    QVERIFY(root.mkpath(QStringLiteral("images/%1/%2").arg(QLatin1String(split), QLatin1String(cls))));
                    QImage img(12, 12, QImage::Format_RGB888);
                    img.fill(QLatin1String(cls) == QLatin1String("cat") ? QColor(200, 40, 40) : QColor(40, 40, 200));
                    QVERIFY(img.save(root.filePath(
                        QStringLiteral("images/%1/%2/%3.png").arg(QLatin1String(split), QLatin1String(cls)).arg(i))));
                }
        const QString archive = tmp_.filePath(QStringLiteral("tree.tar.gz"));
        QCOMPARE(QProcess::execute(QStringLiteral("tar"), {QStringLiteral("czf"), archive, QStringLiteral("-C"),
                                                           root.path(), QStringLiteral("images")}),
                 0);

        DataPage page;
        DataConfig c;
        c.kind = DatasetKind::Cifar10;
        c.imageSize = {12, 12};
        page.setConfig(c);
        QSignalSpy fetched(&page, &DataPage::fetchFinished);
        QSignalSpy previewed(&page, &DataPage::previewFinished);
        // a file that is not an archive: a clear failure, the page stays usable
        const QString bogus = tmp_.filePath(QStringLiteral("bogus.tar.gz"));
        QFile b(bogus);
        QVERIFY(b.open(QIODevice::WriteOnly));
        b.write("not an archive");
        b.close();
        page.fetch(bogus);
        QVERIFY(waitFinished(fetched, 60000));
        QCOMPARE(fetched.first().at(0).toBool(), false);
        QVERIFY2(fetched.first().at(1).toString().contains(QStringLiteral("not a readable")),
                 qPrintable(fetched.first().at(1).toString()));
        fetched.clear();
        page.fetch(archive);
        QVERIFY(waitFinished(fetched, 60000));
        QVERIFY2(fetched.first().at(0).toBool(), qPrintable(fetched.first().at(1).toString()));
        const auto target = importTarget(DatasetKind::Cifar10);
        QVERIFY(std::filesystem::exists(target / "train" / "cat" / "0.png"));
        // the preview follows, from the data folder
        QVERIFY(waitFinished(previewed, 60000));
        QVERIFY2(previewed.last().at(0).toBool(), qPrintable(previewed.last().at(1).toString()));
        QCOMPARE(page.sampleCount(), 8);
        std::filesystem::remove_all(target);
    }

    void sweepFillsSweepCharts()
    {
        MainWindow w;
        auto* page = w.runPage();
        QVERIFY(page->selectPreset(QStringLiteral("wb-sweep")));
        QVERIFY(page->findChild<QWidget*>(QStringLiteral("sweepBox"))->isVisibleTo(page));
        QCOMPARE(page->findChild<QLineEdit*>(QStringLiteral("sweepValues"))->text(), QStringLiteral("0.25, 0.5"));
        page->setOutputDir(tmp_.filePath(QStringLiteral("sweep")));
        QSignalSpy done(page, &RunPage::runFinished);
        page->run();
        QVERIFY(waitFinished(done, 300000));
        QVERIFY(done.first().at(0).toBool());
        // 2 points x 2 variants, FP32 and INT8 latency each
        QCOMPARE(int(page->results().size()), 4);
        auto* view = page->resultsView();
        QCOMPARE(view->sweepParamsChart()->pointCount(QStringLiteral("ORIGINAL FP32")), 2);
        QCOMPARE(view->sweepParamsChart()->pointCount(QStringLiteral("MODIFIED INT8")), 2);
        QCOMPARE(view->sweepMacsChart()->pointCount(QStringLiteral("MODIFIED FP32")), 2);
        QCOMPARE(page->resultsTable()->rowCount(), 4);

        // a bad value is refused with the field named, nothing starts
        page->findChild<QLineEdit*>(QStringLiteral("sweepValues"))->setText(QStringLiteral("0.25, x"));
        page->run();
        QVERIFY(!page->isRunning());
        QVERIFY(page->findChild<QLabel*>(QStringLiteral("status"))->text().contains(QStringLiteral("sweep.values")));
    }

    void runsCompareSideBySide()
    {
        MainWindow w;
        auto* page = w.runPage();
        QVERIFY(page->selectPreset(QStringLiteral("wb-study")));
        for (int i = 0; i < 2; ++i) {
            if (i == 1) w.trainingPage()->modifiedForm()->findChild<QSpinBox*>(QStringLiteral("epochs"))->setValue(2);
            page->setOutputDir(tmp_.filePath(QStringLiteral("cmp%1").arg(i)));
            QSignalSpy done(page, &RunPage::runFinished);
            page->run();
            QVERIFY(waitFinished(done, 300000));
            QVERIFY(done.first().at(0).toBool());
        }
        auto* runs = w.runsPage();
        runs->refresh();
        QVERIFY(runs->runCount() >= 2);
        RunStore store;
        const auto all = store.list();
        const auto a = all[all.size() - 2].id, b = all.back().id;
        QVERIFY(runs->compareRuns(a, b));
        auto* t = runs->compareTable();
        QVERIFY(t->rowCount() >= 6);
        // the MODIFIED FP32 accuracy row holds both runs' figures and their difference
        bool found = false;
        for (int r = 0; r < t->rowCount(); ++r)
            if (t->item(r, 0)->text() == QLatin1String("modified-fp32") &&
                t->item(r, 1)->text() == QLatin1String("Accuracy (%)")) {
                const double va = t->item(r, 2)->text().toDouble(), vb = t->item(r, 3)->text().toDouble();
                QCOMPARE(t->item(r, 4)->text().toDouble(), std::round((vb - va) * 100) / 100);
                found = true;
            }
        QVERIFY(found);
        // export and delete from the history
        QVERIFY(runs->exportRun(b, tmp_.filePath(QStringLiteral("run-b"))));
        QVERIFY(QFileInfo::exists(tmp_.filePath(QStringLiteral("run-b/results.json"))));
        const int before = runs->runCount();
        QVERIFY(runs->deleteRun(b));
        QCOMPARE(runs->runCount(), before - 1);
        QVERIFY(!runs->showRun(b));
        QVERIFY(runs->statusText().contains(QString::number(b)));
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
