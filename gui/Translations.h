#pragma once
// The workbench's languages: its own .qm files (compiled from translations/*.ts into the binary) and
// Qt's own translations (qtbase_*.qm from the system's Qt), installed on the application.

#include <QList>
#include <QPair>
#include <QString>

namespace phinet::gui {

/// Languages the workbench ships, as (code, name in that language), English first.
QList<QPair<QString, QString>> availableLanguages();
/// The language the system locale asks for, among the available ones ("en" otherwise).
QString systemLanguage();
/// Installs the translators for `code` ("" = follow the system locale) and returns the language in
/// effect. Widgets receive QEvent::LanguageChange.
QString applyLanguage(const QString& code);
/// The language in effect ("en" before any applyLanguage()).
QString currentLanguage();
/// True when Qt's own translation (standard dialogs' buttons) was found for the current language.
bool qtTranslationLoaded();

} // namespace phinet::gui
