#pragma once
// Small helpers for the settings forms: spin boxes and combos named after the config field they
// edit (the field name is the object name, so tests and error messages can find them).

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>

namespace phinet::gui {

QSpinBox* intField(QWidget* parent, const char* name, int min, int max, const QString& tip, const QString& suffix = {});
QDoubleSpinBox* realField(QWidget* parent, const char* name, double min, double max, int decimals, double step,
                          const QString& tip);
QCheckBox* boolField(QWidget* parent, const char* name, const QString& text, const QString& tip);
/// A combo whose items carry the core's string names as data (shown text is translated).
QComboBox* choiceField(QWidget* parent, const char* name, const QList<QPair<QString, QString>>& items,
                       const QString& tip);
/// Marks a field as invalid (red frame, `problem` as its tooltip) or, with an empty problem, restores
/// it (its own tooltip back). The frame comes from the main window's `*[invalid="true"]` style.
void markField(QWidget* field, const QString& problem);
/// Selects the item whose data is `key`; false if none.
bool selectKey(QComboBox* combo, const QString& key);
QString currentKey(const QComboBox* combo);

} // namespace phinet::gui
