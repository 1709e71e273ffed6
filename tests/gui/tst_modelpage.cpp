// The Model area, offscreen: the form fills the layer table, edits update it, bad values are flagged.
#include "MainWindow.h"
#include "ModelPage.h"
#include "LogPane.h"

#include "phinet/common/Log.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
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
        // fixing the value clears the flag and refills the table
        page.setConfig(PhiNetConfig::study(Variant::Modified, {1, 28, 28}));
        QVERIFY(page.isValid());
        QVERIFY(!w->property("invalid").toBool());
        QCOMPARE(page.findChild<QTableWidget*>(QStringLiteral("layerTable"))->rowCount(), 10);
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
