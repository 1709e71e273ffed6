#include "Translations.h"

#include "phinet/common/Log.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QTranslator>

namespace phinet::gui {
namespace {

QTranslator* g_app = nullptr;
QTranslator* g_qt = nullptr;
QString g_current = QStringLiteral("en");
bool g_qtLoaded = false;

} // namespace

QList<QPair<QString, QString>> availableLanguages()
{
    return {{QStringLiteral("en"), QStringLiteral("English")}, {QStringLiteral("it"), QStringLiteral("Italiano")}};
}

QString systemLanguage()
{
    for (const QString& ui : QLocale::system().uiLanguages()) {
        const QString code = ui.section(QLatin1Char('-'), 0, 0).section(QLatin1Char('_'), 0, 0).toLower();
        for (const auto& [c, name] : availableLanguages())
            if (c == code) return c;
    }
    return QStringLiteral("en");
}

QString applyLanguage(const QString& requested)
{
    const QString code = requested.isEmpty() ? systemLanguage() : requested;
    auto* app = QCoreApplication::instance();
    if (!g_app) {
        g_app = new QTranslator(app);
        g_qt = new QTranslator(app);
    }
    QCoreApplication::removeTranslator(g_app);
    QCoreApplication::removeTranslator(g_qt);
    g_current = QStringLiteral("en");
    g_qtLoaded = false;
    if (code != QLatin1String("en")) {
        if (g_app->load(QStringLiteral(":/i18n/phinet_%1.qm").arg(code))) {
            QCoreApplication::installTranslator(g_app);
            g_current = code;
        } else {
            logger()->warn("no workbench translation for language '{}'; using English", code.toStdString());
        }
        const QString qtDir = QLibraryInfo::path(QLibraryInfo::TranslationsPath);
        if (g_qt->load(QStringLiteral("qtbase_%1").arg(code), qtDir)) {
            QCoreApplication::installTranslator(g_qt);
            g_qtLoaded = true;
        } else {
            logger()->info("Qt's own translation qtbase_{}.qm not found in {} (package qt6-translations-l10n)",
                           code.toStdString(), qtDir.toStdString());
        }
    }
    if (g_current != QLatin1String("en"))
        QLocale::setDefault(QLocale(g_current));
    else
        QLocale::setDefault(QLocale::c());
    return g_current;
}

QString currentLanguage()
{
    return g_current;
}

bool qtTranslationLoaded()
{
    return g_qtLoaded;
}

} // namespace phinet::gui
