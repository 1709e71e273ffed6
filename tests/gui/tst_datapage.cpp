// The Data area and quitting, offscreen: a hostile IDX preview is an error naming the file (no crash),
// a slow preview cancels within 2 s, import is refused during a run, and closing the main window
// during a run's latency measurement closes it within 2 s.
#include "DataPage.h"
#include "GuiTestPresets.h"
#include "JobRunner.h"
#include "MainWindow.h"
#include "RunPage.h"

#include "phinet/common/Error.h"
#include "phinet/common/Paths.h"
#include "phinet/experiment/ExperimentConfig.h"

#include <QAbstractButton>
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest/QtTest>

#include <filesystem>

using namespace phinet;
using namespace phinet::gui;
namespace fs = std::filesystem;

namespace {

const QString kBundled = QStringLiteral(PHINET_SOURCE_DIR "/resources/data/mnist-subset");

/// An IDX file of unsigned bytes with these dims, its data all zeros (a sparse file: no disk used).
bool writeSparseIdx(const QString& path, const QList<quint32>& dims)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) return false;
    QByteArray header;
    QDataStream out(&header, QIODevice::WriteOnly); // big-endian, as IDX is
    out << quint32(0x0800 | quint32(dims.size()));
    qint64 count = 1;
    for (auto d : dims) {
        out << d;
        count *= d;
    }
    return f.write(header) == header.size() && f.resize(header.size() + count);
}

/// Answers the quit question with Yes as soon as it shows; `clicked` starts when it is answered.
void answerYesWhenAsked(QElapsedTimer* clicked)
{
    auto* poll = new QTimer(qApp);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, clicked] {
        for (QWidget* w : QApplication::topLevelWidgets())
            if (auto* box = qobject_cast<QMessageBox*>(w); box && box->isVisible()) {
                poll->deleteLater();
                poll->stop();
                clicked->start();
                box->button(QMessageBox::Yes)->click();
                return;
            }
    });
    poll->start(10);
}

} // namespace

class TestDataPage : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    /// Starts the long-measuring preset in `w`, into a new folder, and waits until its run is in `stage`.
    bool startAndReach(MainWindow& w, const std::string& stage)
    {
        static int runs = 0;
        w.runPage()->setOutputDir(tmp_.filePath(QStringLiteral("run-%1").arg(++runs)));
        bool reached = false;
        const auto watch =
            QObject::connect(w.runPage()->runner(), &JobRunner::event, &w, [&reached, stage](const ExperimentEvent& e) {
                if (e.type == ExperimentEvent::Type::StageStarted && toString(e.stage) == stage) reached = true;
            });
        const bool started = w.startPreset(QStringLiteral("dp-long-measure"));
        QElapsedTimer t;
        t.start();
        while (started && !reached && w.runPage()->isRunning() && t.elapsed() < 180000)
            QTest::qWait(20);
        QObject::disconnect(watch);
        return reached && w.runPage()->isRunning();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        QSettings().clear();
        fs::remove_all(importTarget(DatasetKind::Mnist));
        // a short study whose measure stage times for long: 100,000 runs of each FP32 model (~0.1 ms each)
        Preset p = test::shrunkQuickPreset("dp-long-measure", 256, 100, 1, 1);
        auto& c = *p.study;
        c.stages.ptq = c.stages.qat = false;
        c.bench.runs = 100000;
        c.bench.warmup = 0;
        saveUserPreset(p);
    }

    void hostileIdxPreviewShowsAnError()
    {
        // one "image" of 1x268435456 pixels: within the readers' 1 GiB bound, far beyond a picture
        const QString dir = tmp_.filePath(QStringLiteral("hostile"));
        QVERIFY(QDir().mkpath(dir));
        for (const char* split : {"train", "t10k"}) {
            QVERIFY(writeSparseIdx(dir + QStringLiteral("/%1-images-idx3-ubyte").arg(QLatin1String(split)),
                                   {1, 1, 268435456}));
            QVERIFY(writeSparseIdx(dir + QStringLiteral("/%1-labels-idx1-ubyte").arg(QLatin1String(split)), {1}));
        }
        DataPage page;
        DataConfig c;
        c.dataDir = dir.toStdString();
        page.setConfig(c);
        QSignalSpy done(&page, &DataPage::previewFinished);
        page.loadPreview();
        QVERIFY(done.wait(120000));
        QCOMPARE(done.first().at(0).toBool(), false);
        const QString message = done.first().at(1).toString();
        QVERIFY2(message.contains(dir + QStringLiteral("/train-images-idx3-ubyte")), qPrintable(message));
        QCOMPARE(page.sampleCount(), 0);
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("dataInfo"))
                    ->text()
                    .contains(QStringLiteral("Cannot load the data")));
        // the page stays usable
        page.setConfig(DataConfig{});
        done.clear();
        page.loadPreview();
        QVERIFY(done.wait(60000));
        QVERIFY2(done.first().at(0).toBool(), qPrintable(done.first().at(1).toString()));
        QCOMPARE(page.sampleCount(), 40);
    }

    void cancellingASlowPreviewReturnsWithin2s()
    {
        // a slow folder: 2 x 1,500 training and 2 x 100 test images of 384x384 noise, each decoded and
        // resized (hard links of one PNG, so the test writes one file)
        const QString dir = tmp_.filePath(QStringLiteral("slow"));
        QImage noise(384, 384, QImage::Format_RGB888);
        quint32 x = 12345;
        for (int y = 0; y < noise.height(); ++y) {
            uchar* line = noise.scanLine(y);
            for (int i = 0; i < noise.width() * 3; ++i)
                line[i] = uchar((x = x * 1664525u + 1013904223u) >> 24);
        }
        const QString one = tmp_.filePath(QStringLiteral("noise.png"));
        QVERIFY(noise.save(one));
        for (const char* split : {"train", "test"})
            for (const char* cls : {"a", "b"}) {
                const fs::path d = fs::path(dir.toStdString()) / split / cls;
                fs::create_directories(d);
                const int n = QLatin1String(split) == QLatin1String("train") ? 1500 : 100;
                for (int i = 0; i < n; ++i)
                    fs::create_hard_link(one.toStdString(), d / (std::to_string(i) + ".png"));
            }
        DataPage page;
        DataConfig c;
        c.kind = DatasetKind::Folder;
        c.dataDir = dir.toStdString();
        c.imageSize = {32, 32};
        page.setConfig(c);
        QSignalSpy done(&page, &DataPage::previewFinished);
        QElapsedTimer whole;
        whole.start();
        page.loadPreview();
        QVERIFY(page.isBusy());
        QTest::qWait(300);
        QVERIFY2(done.isEmpty(), "the folder loaded too fast to test cancelling");
        auto* cancel = page.findChild<QPushButton*>(QStringLiteral("cancelDataJob"));
        QVERIFY(cancel->isEnabled());
        QElapsedTimer t;
        t.start();
        cancel->click();
        QVERIFY(done.wait(10000));
        const auto ms = t.elapsed();
        qInfo("preview cancelled after %lld ms of loading; returned %lld ms after Cancel", whole.elapsed() - ms, ms);
        QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
        QCOMPARE(done.first().at(0).toBool(), false);
        QVERIFY(!page.isBusy());
        QVERIFY(!cancel->isEnabled());
    }

    void importIsRefusedDuringARun()
    {
        MainWindow w;
        w.show();
        QVERIFY(startAndReach(w, "train-original"));
        auto* data = w.dataPage();
        QVERIFY(!data->findChild<QPushButton*>(QStringLiteral("importButton"))->isEnabled());
        QVERIFY(!data->findChild<QPushButton*>(QStringLiteral("fetchButton"))->isEnabled());
        QSignalSpy imported(data, &DataPage::importFinished);
        data->importFrom(kBundled);
        QVERIFY(imported.count() > 0 || imported.wait(10000));
        QCOMPARE(imported.first().at(0).toBool(), false);
        QVERIFY2(imported.first().at(1).toString().contains(QStringLiteral("run is in progress")),
                 qPrintable(imported.first().at(1).toString()));
        QVERIFY(!fs::exists(importTarget(DatasetKind::Mnist)));
        // and the core refuses too, whoever asks
        QVERIFY_THROWS_EXCEPTION(ConfigError, importDataset(DatasetKind::Mnist, kBundled.toStdString()));
        QSignalSpy finished(w.runPage(), &RunPage::runFinished);
        w.runPage()->cancel();
        QVERIFY(finished.count() > 0 || finished.wait(30000));
        // the run is over: import is possible again
        QTRY_VERIFY(data->findChild<QPushButton*>(QStringLiteral("importButton"))->isEnabled());
    }

    void closingDuringARunTakesUnder2s()
    {
        MainWindow w;
        w.show();
        QVERIFY(startAndReach(w, "measure"));
        QTest::qWait(300); // inside the 100,000 timed runs
        QVERIFY(w.runPage()->isRunning());
        QElapsedTimer clicked;
        answerYesWhenAsked(&clicked);
        QVERIFY(w.close());
        QVERIFY(clicked.isValid());
        const auto ms = clicked.elapsed();
        qInfo("the window closed %lld ms after the user chose to quit during the measure stage", ms);
        QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
        QVERIFY(!w.isVisible());
        // the run has really stopped (its thread returned), not been left running
        QVERIFY(w.runPage()->runner()->waitFor(0));
    }
};

QTEST_MAIN(TestDataPage)
#include "tst_datapage.moc"
