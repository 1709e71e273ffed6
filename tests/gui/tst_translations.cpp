// Translations: the Italian file is complete and up to date with the sources, the workbench switches
// language from its menu, and Qt's own strings follow. A switch rebuilds nothing: during and after a
// run its charts, results and progress stay, and every text changes in place.
#include "Charts.h"
#include "GuiTestPresets.h"
#include "MainWindow.h"
#include "ResultsView.h"
#include "RunPage.h"
#include "SettingsPages.h"
#include "Translations.h"

#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest/QtTest>

using namespace phinet::gui;

namespace {

/// source text -> translation (empty when unfinished), per .ts file.
QMap<QString, QString> readTs(const QString& path, int* unfinished)
{
    QMap<QString, QString> out;
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return out;
    QXmlStreamReader xml(&f);
    QString source;
    *unfinished = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement()) continue;
        if (xml.name() == QLatin1String("source"))
            source = xml.readElementText();
        else if (xml.name() == QLatin1String("translation")) {
            const bool open = xml.attributes().value(QLatin1String("type")) == QLatin1String("unfinished");
            const QString text = xml.readElementText(QXmlStreamReader::IncludeChildElements);
            if (open || text.trimmed().isEmpty()) ++*unfinished;
            out.insert(source, open ? QString() : text);
        }
    }
    return out;
}

} // namespace

class TestTranslations : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void italianIsComplete()
    {
        int unfinished = -1;
        const auto it = readTs(QStringLiteral(PHINET_SOURCE_DIR "/translations/phinet_it.ts"), &unfinished);
        QVERIFY(it.size() > 300);
        QCOMPARE(unfinished, 0);
    }

    void italianIsUpToDateWithTheSources()
    {
        const QString lupdate = QStringLiteral("/usr/lib/qt6/bin/lupdate");
        if (!QFileInfo::exists(lupdate)) QSKIP("lupdate (qt6-l10n-tools) is not installed");
        QTemporaryDir tmp;
        const QString fresh = tmp.filePath(QStringLiteral("fresh.ts"));
        QProcess p;
        p.start(lupdate, {QStringLiteral("-silent"), QStringLiteral("-locations"), QStringLiteral("none"),
                          QStringLiteral(PHINET_SOURCE_DIR "/gui"), QStringLiteral("-ts"), fresh});
        QVERIFY(p.waitForFinished(120000));
        QCOMPARE(p.exitCode(), 0);
        int unfinished = 0, ignored = 0;
        const auto sources = readTs(fresh, &ignored);
        const auto it = readTs(QStringLiteral(PHINET_SOURCE_DIR "/translations/phinet_it.ts"), &unfinished);
        QStringList missing;
        for (auto k = sources.keyBegin(); k != sources.keyEnd(); ++k)
            if (it.value(*k).isEmpty()) missing << *k;
        QVERIFY2(missing.isEmpty(),
                 qPrintable(QStringLiteral("not in translations/phinet_it.ts (run the update_translations "
                                           "target and translate): ") +
                            missing.join(QStringLiteral(" | "))));
    }

    void switchLanguageFromTheMenu()
    {
        QCOMPARE(applyLanguage(QStringLiteral("en")), QStringLiteral("en"));
        MainWindow w;
        QCOMPARE(w.windowTitle(), QStringLiteral("PhiNet Quantization Workbench"));
        QCOMPARE(w.areas()->tabText(1), QStringLiteral("Model"));

        w.quantPage()->findChild<QSpinBox*>(QStringLiteral("calib_batches"))->setValue(13);
        QWidget* const quantPage = w.quantPage();
        QWidget* const runPage = w.runPage();
        w.findChild<QAction*>(QStringLiteral("language-it"))->trigger();
        QTRY_COMPARE(currentLanguage(), QStringLiteral("it"));
        // nothing was rebuilt: the same areas, in place
        QCOMPARE(static_cast<QWidget*>(w.quantPage()), quantPage);
        QCOMPARE(static_cast<QWidget*>(w.runPage()), runPage);
        QCOMPARE(w.areas()->widget(0), runPage);
        QCOMPARE(w.windowTitle(), QStringLiteral("Banco di lavoro per la quantizzazione PhiNet"));
        QCOMPARE(w.areas()->tabText(1), QStringLiteral("Modello"));
        QCOMPARE(w.areas()->tabText(0), QStringLiteral("Esegui"));
        // the forms survive the switch, and the menu shows the choice
        QCOMPARE(w.quantPage()->config().calibrationBatches, 13);
        QVERIFY(w.findChild<QAction*>(QStringLiteral("language-it"))->isChecked());
        // Qt's own strings (standard buttons) are Italian too, where Debian's qt6-translations-l10n is installed
        if (qtTranslationLoaded())
            QCOMPARE(QCoreApplication::translate("QPlatformTheme", "Cancel"), QStringLiteral("Annulla"));

        w.findChild<QAction*>(QStringLiteral("language-en"))->trigger();
        QTRY_COMPARE(w.windowTitle(), QStringLiteral("PhiNet Quantization Workbench"));
        QCOMPARE(w.areas()->tabText(1), QStringLiteral("Model"));
        QVERIFY(w.findChild<QAction*>(QStringLiteral("language-en"))->isChecked());
    }

    void switchingKeepsTheRunAndItsCharts()
    {
        // a study shrunk to seconds; the language changes while it runs and again after it finished
        QTemporaryDir tmp;
        phinet::Preset p = phinet::test::shrunkQuickPreset("tr-study", 256, 100, 1, 1);
        p.study->trainOriginal.reportEvery = p.study->trainModified.reportEvery = 1;
        p.study->bench.runs = 3;
        phinet::saveUserPreset(p);
        QCOMPARE(applyLanguage(QStringLiteral("en")), QStringLiteral("en"));
        MainWindow w;
        RunPage* const page = w.runPage();
        ResultsView* const view = page->resultsView();
        QTableWidget* const table = page->resultsTable();
        auto* runButton = page->findChild<QPushButton*>(QStringLiteral("runButton"));
        auto* stage = page->findChild<QLabel*>(QStringLiteral("stage"));
        QVERIFY(runButton && stage);
        QVERIFY(page->selectPreset(QStringLiteral("tr-study")));
        page->setOutputDir(tmp.filePath(QStringLiteral("run")));
        QSignalSpy done(page, &RunPage::runFinished);
        page->run();
        QVERIFY(page->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(page->lossChart()->pointCount(QStringLiteral("original-fp32")) >= 1, 120000);

        // switched during the run: it goes on, the texts are Italian at once
        QVERIFY(page->isRunning());
        QCOMPARE(w.setLanguage(QStringLiteral("it")), QStringLiteral("it"));
        QVERIFY(page->isRunning() || done.count() == 1);
        QCOMPARE(w.areas()->tabText(0), QStringLiteral("Esegui"));
        QCOMPARE(runButton->text(), QStringLiteral("Esegui"));
        QCOMPARE(view->tabText(0), QStringLiteral("Addestramento"));
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 300000);
        QVERIFY(done.first().at(0).toBool());

        // the same widgets hold the whole run
        QCOMPARE(w.runPage(), page);
        QCOMPARE(w.areas()->widget(0), static_cast<QWidget*>(page));
        QCOMPARE(page->resultsView(), view);
        QCOMPARE(page->resultsTable(), table);
        auto checkRunKept = [&] {
            QVERIFY(page->lossChart()->pointCount(QStringLiteral("original-fp32")) >= 1);
            QVERIFY(page->lossChart()->pointCount(QStringLiteral("modified-fp32")) >= 1);
            QCOMPARE(view->epochLossChart()->pointCount(QStringLiteral("modified-fp32 test")), 1);
            QCOMPARE(view->accuracyChart()->pointCount(QStringLiteral("modified-fp32")), 1);
            QCOMPARE(view->accuracyChart()->pointCount(QStringLiteral("QAT converted INT8")), 1);
            QCOMPARE(page->sizeChart()->barCount(), 4);
            QCOMPARE(page->latencyChart()->barCount(), 4);
            QCOMPARE(view->paretoChart()->pointCount(QStringLiteral("models")), 4);
            QCOMPARE(view->confusionInt8()->classCount(), 10);
            QVERIFY(!page->lossChart()->showsEmptyState());
            QVERIFY(!view->confusionFp32()->showsEmptyState());
            QCOMPARE(table->rowCount(), 4);
            QCOMPARE(table->item(3, 0)->text(), QStringLiteral("modified-qat-int8"));
            QCOMPARE(page->findChild<QProgressBar*>(QStringLiteral("progress"))->value(), 1000);
        };
        checkRunKept();
        // and every text is Italian: the table's headers, the series made before and after the switch,
        // the chart titles and empty-state lines, the stage line made from the run's state
        QCOMPARE(table->horizontalHeaderItem(0)->text(), QStringLiteral("Modello"));
        QCOMPARE(view->accuracyChart()->seriesLabel(QStringLiteral("QAT converted INT8")),
                 QStringLiteral("QAT convertito INT8"));
        QCOMPARE(view->epochLossChart()->seriesLabel(QStringLiteral("modified-fp32 train")),
                 QStringLiteral("modified-fp32 addestramento"));
        QCOMPARE(view->paretoChart()->seriesLabel(QStringLiteral("Pareto front")), QStringLiteral("Fronte di Pareto"));
        QCOMPARE(page->lossChart()->title(), QStringLiteral("Loss di addestramento per batch"));
        QVERIFY2(view->sweepParamsChart()->emptyText().startsWith(QStringLiteral("Ancora nessun dato")),
                 qPrintable(view->sweepParamsChart()->emptyText()));
        QCOMPARE(stage->text(), QStringLiteral("Completato."));
        QCOMPARE(w.windowTitle(), QStringLiteral("Banco di lavoro per la quantizzazione PhiNet"));

        // back to English: the same run, in English
        QCOMPARE(w.setLanguage(QStringLiteral("en")), QStringLiteral("en"));
        QCOMPARE(w.runPage(), page);
        QCOMPARE(page->resultsView(), view);
        QCOMPARE(page->resultsTable(), table);
        checkRunKept();
        QCOMPARE(w.areas()->tabText(0), QStringLiteral("Run"));
        QCOMPARE(runButton->text(), QStringLiteral("Run"));
        QCOMPARE(view->tabText(0), QStringLiteral("Training"));
        QCOMPARE(table->horizontalHeaderItem(0)->text(), QStringLiteral("Model"));
        QCOMPARE(view->accuracyChart()->seriesLabel(QStringLiteral("QAT converted INT8")),
                 QStringLiteral("QAT converted INT8"));
        QCOMPARE(page->lossChart()->title(), QStringLiteral("Training loss per batch"));
        QVERIFY(view->sweepParamsChart()->emptyText().startsWith(QStringLiteral("No data yet")));
        QCOMPARE(stage->text(), QStringLiteral("Finished."));
        QCOMPARE(w.windowTitle(), QStringLiteral("PhiNet Quantization Workbench"));
    }

    void systemLocaleIsFollowed()
    {
        // the program picks the language from the locale environment, as a desktop session sets it
        auto systemLanguageWith = [](const QString& lang) {
            QProcess p;
            auto env = QProcessEnvironment::systemEnvironment();
            env.remove(QStringLiteral("LC_ALL"));
            env.remove(QStringLiteral("LC_MESSAGES"));
            env.remove(QStringLiteral("LANGUAGE"));
            env.insert(QStringLiteral("LANG"), lang);
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(PHINET_WORKBENCH_PATH), {QStringLiteral("--languages")});
            p.waitForFinished(60000);
            const QString out = QString::fromUtf8(p.readAllStandardOutput());
            return out.section(QStringLiteral("system language: "), 1).trimmed();
        };
        QCOMPARE(systemLanguageWith(QStringLiteral("it_IT.UTF-8")), QStringLiteral("it"));
        QCOMPARE(systemLanguageWith(QStringLiteral("C.UTF-8")), QStringLiteral("en"));
        QCOMPARE(systemLanguageWith(QStringLiteral("de_DE.UTF-8")), QStringLiteral("en")); // not shipped: English
    }
};

QTEST_MAIN(TestTranslations)
#include "tst_translations.moc"
