// The Model area, offscreen: the form fills the layer table, edits update it, bad values are flagged
// (and the charts say they have nothing to draw).
#include "FitCharts.h"
#include "MainWindow.h"
#include "ModelPage.h"
#include "LogPane.h"

#include "phinet/common/Log.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QtTest/QtTest>

using namespace phinet;
using namespace phinet::gui;

class TestModelPage : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void defaultIsStudyModel()
    {
        ModelPage page;
        QVERIFY(page.isValid());
        auto* table = page.findChild<QTableWidget*>(QStringLiteral("layerTable"));
        QVERIFY(table);
        QCOMPARE(table->rowCount(), 10);
        QCOMPARE(table->item(0, 0)->text(), QStringLiteral("stem"));
        QCOMPARE(table->item(9, 0)->text(), QStringLiteral("head"));
        QCOMPARE(table->item(2, 10)->text(), QStringLiteral("125,360")); // block1 of table E
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("totals"))->text().contains(QStringLiteral("4,406,691")));
    }

    void editsUpdateTable()
    {
        ModelPage page;
        QSignalSpy spy(&page, &ModelPage::configChanged);
        auto* input = page.findChild<QLineEdit*>(QStringLiteral("input"));
        input->selectAll();
        QTest::keyClicks(input, QStringLiteral("3,224,224"));
        auto* variant = page.findChild<QComboBox*>(QStringLiteral("variant"));
        variant->setCurrentIndex(variant->findData(int(Variant::Original)));
        QVERIFY(spy.count() > 0);
        QVERIFY(page.isValid());
        QCOMPARE(page.summary()->params, 4394545LL);
        QCOMPARE(page.config().divisor, 1);
        auto* layers = page.findChild<QSpinBox*>(QStringLiteral("layers"));
        layers->setValue(4);
        auto* table = page.findChild<QTableWidget*>(QStringLiteral("layerTable"));
        QCOMPARE(table->rowCount(), 7); // stem, block0..4, head
        QCOMPARE(page.config().downsamplingLayers, std::vector<int>{});
        layers->setValue(12);
        QCOMPARE(table->rowCount(), 15);
        QCOMPARE(page.summary()->params, summarize(page.config()).params);
    }

    void invalidValuesAreFlagged_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("alpha") << "alpha";
        QTest::newRow("input") << "input";
        QTest::newRow("layers") << "layers";
        QTest::newRow("classes") << "classes";
    }
    void invalidValuesAreFlagged()
    {
        QFETCH(QString, field);
        ModelPage page;
        QWidget* w = page.findChild<QWidget*>(field);
        QVERIFY(w);
        if (auto* d = qobject_cast<QDoubleSpinBox*>(w)) d->setValue(0);
        if (auto* s = qobject_cast<QSpinBox*>(w)) s->setValue(field == QLatin1String("classes") ? 1 : 0);
        if (auto* l = qobject_cast<QLineEdit*>(w)) l->setText(QStringLiteral("3,4"));
        QVERIFY(!page.isValid());
        QVERIFY(w->property("invalid").toBool());
        QVERIFY(page.fieldErrors().contains(field));
        QVERIFY(!w->toolTip().isEmpty());
        QCOMPARE(page.findChild<QTableWidget*>(QStringLiteral("layerTable"))->rowCount(), 0);
        // the charts say why they are empty; the problems stand one per line
        QVERIFY(page.findChild<FitCharts*>()->showsEmptyState());
        const QString status = page.findChild<QLabel*>(QStringLiteral("status"))->text();
        QVERIFY2(!status.contains(QStringLiteral("&lt;br&gt;")), qPrintable(status));
        // fixing the value clears the flag and refills the table
        page.setConfig(PhiNetConfig::study(Variant::Modified, {1, 28, 28}));
        QVERIFY(page.isValid());
        QVERIFY(!w->property("invalid").toBool());
        QCOMPARE(page.findChild<QTableWidget*>(QStringLiteral("layerTable"))->rowCount(), 10);
        QVERIFY(!page.findChild<FitCharts*>()->showsEmptyState());
    }

    // A board picked: the verdict for INT8 and FP32, live as the knobs move; the charts draw the table and
    // the budget. The figures are hand-computed (see tst_fit): MODIFIED alpha 0.1, 4 blocks, 3x96x96 peaks
    // at 138,240 INT8 bytes (135 KB) in block1's depthwise conv.
    void targetVerdict()
    {
        ModelPage page;
        PhiNetConfig c = PhiNetConfig::study(Variant::Modified, {3, 96, 96});
        c.alpha = 0.1;
        c.numLayers = 4;
        c.downsamplingLayers = {};
        page.setConfig(c);
        McuReserve none;
        none.ramBytes = none.flashBytes = 0;
        page.setReserve(none);
        auto* target = page.findChild<QComboBox*>(QStringLiteral("target"));
        QVERIFY(target);
        QVERIFY(target->count() >= 6); // none + the five bundled boards
        page.setTargetName(QString());
        QVERIFY(!page.verdict());
        target->setCurrentIndex(target->findData(QStringLiteral("nucleo-f401re")));
        auto* verdict = page.findChild<QLabel*>(QStringLiteral("verdict"));
        QVERIFY2(verdict->text().contains(QStringLiteral("does not fit: RAM over by 39.0 KB at block1/depthwise")),
                 qPrintable(verdict->text()));
        QVERIFY(page.verdict() && !page.verdict()->int8.fits());
        // 320 KB on the F746: 320 - 135 = 185 KB spare for INT8; FP32 needs 540 KB: 220 KB over
        page.setTargetName(QStringLiteral("stm32f746g-disco"));
        QVERIFY2(verdict->text().contains(QStringLiteral("fits: RAM 185.0 KB spare")), qPrintable(verdict->text()));
        QVERIFY2(verdict->text().contains(QStringLiteral("does not fit: RAM over by 220.0 KB at block1/depthwise")),
                 qPrintable(verdict->text()));
        auto* charts = page.findChild<FitCharts*>();
        QVERIFY(charts);
        QCOMPARE(charts->layerCount(), 7); // stem, block0..4, head
        QCOMPARE(charts->ramBudgetKb(), 320.0);
        QCOMPARE(charts->flashBudgetKb(), 1024.0);
        // the reserve is taken off: 32 KB of RAM kept back leaves 288 KB, 153 KB spare
        auto* reserveRam = page.findChild<QSpinBox*>(QStringLiteral("reserveRam"));
        reserveRam->setValue(32);
        QVERIFY2(verdict->text().contains(QStringLiteral("fits: RAM 153.0 KB spare")), qPrintable(verdict->text()));
        QCOMPARE(charts->ramBudgetKb(), 288.0);
        reserveRam->setValue(0);
        // moving alpha changes it: at alpha 2, block1 expands 48 to 272 channels at 48x48 (626,688 B alone)
        auto* alpha = page.findChild<QDoubleSpinBox*>(QStringLiteral("alpha"));
        alpha->setValue(2.0);
        QVERIFY2(verdict->text().contains(
                     QStringLiteral("<b>INT8</b> <span style='color:#c62828'>does not fit: RAM over by")),
                 qPrintable(verdict->text()));
        QVERIFY(!page.verdict()->int8.fits());
        QVERIFY(page.verdict()->int8.ramBytes >= 626688);
    }

    // "Find the largest that fits" applies a MODIFIED network whose INT8 flash and peak RAM fit the board.
    void findLargestFitApplies()
    {
        ModelPage page;
        PhiNetConfig c = PhiNetConfig::study(Variant::Original, {3, 96, 96});
        c.alpha = 0.5;
        page.setConfig(c);
        McuReserve none;
        none.ramBytes = none.flashBytes = 0;
        page.setReserve(none);
        page.setTargetName(QStringLiteral("stm32f746g-disco"));
        page.findChild<QPushButton*>(QStringLiteral("findFit"))->click();
        const PhiNetConfig applied = page.config();
        QVERIFY(applied.variant == Variant::Modified);
        QCOMPARE(applied.divisor, 8);
        QCOMPARE(applied.input, (std::array<int, 3>{3, 96, 96}));
        const auto s = summarize(applied); // independently of the page
        QVERIFY(s.peakRamBytesInt8 <= 320 * 1024);
        QVERIFY(s.flashBytesInt8 <= 1024 * 1024);
        // the next alpha of the grid at the same depth does not fit (or is no larger)
        PhiNetConfig bigger = applied;
        bigger.alpha = applied.alpha + 0.05;
        const auto b = summarize(bigger);
        if (b.macs > s.macs) QVERIFY(b.peakRamBytesInt8 > 320 * 1024 || b.flashBytesInt8 > 1024 * 1024);
        QVERIFY(page.verdict() && page.verdict()->int8.fits());
        QVERIFY(
            page.findChild<QLabel*>(QStringLiteral("fitResult"))->text().contains(QStringLiteral("stm32f746g-disco")));
        // nothing fits the F401 at 3x96x96: the form stays, the answer names the input that would fit
        page.setTargetName(QStringLiteral("nucleo-f401re"));
        QVERIFY(!page.findLargestFit());
        QCOMPARE(page.config(), applied);
        QVERIFY(page.findChild<QLabel*>(QStringLiteral("fitResult"))
                    ->text()
                    .contains(QStringLiteral("It fits at input 3,")));
    }

    // --version and --help answer without a display (no QT_QPA_PLATFORM, no DISPLAY).
    void versionAndHelpWithoutDisplay()
    {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
        env.remove(QStringLiteral("DISPLAY"));
        env.remove(QStringLiteral("WAYLAND_DISPLAY"));
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(PHINET_WORKBENCH_PATH), {QStringLiteral("--version")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().startsWith("phinet-workbench "));
        p.start(QStringLiteral(PHINET_WORKBENCH_PATH), {QStringLiteral("--help")});
        QVERIFY(p.waitForFinished(30000));
        QCOMPARE(p.exitCode(), 0);
        QVERIFY(p.readAllStandardOutput().contains("Usage: phinet-workbench"));
    }

    void logPaneReceivesCoreLog()
    {
        MainWindow window;
        logger()->info("hello from the core {}", 42);
        QTRY_VERIFY(window.logPane()->text().contains(QStringLiteral("hello from the core 42")));
        logger()->debug("debug detail");
        QTest::qWait(250);
        QVERIFY(!window.logPane()->text().contains(QStringLiteral("debug detail"))); // default filter: info
        auto* level = window.logPane()->findChild<QComboBox*>(QStringLiteral("logLevel"));
        level->setCurrentIndex(0);
        QVERIFY(window.logPane()->text().contains(QStringLiteral("debug detail")));
    }
};

QTEST_MAIN(TestModelPage)
#include "tst_modelpage.moc"
