// Translations: the Italian file is complete and up to date with the sources, the workbench switches
// language from its menu, and Qt's own strings follow.
#include "MainWindow.h"
#include "SettingsPages.h"
#include "Translations.h"

#include <QAction>
#include <QProcess>
#include <QSpinBox>
#include <QTabWidget>
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
        w.findChild<QAction*>(QStringLiteral("language-it"))->trigger();
        QTRY_COMPARE(currentLanguage(), QStringLiteral("it"));
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
