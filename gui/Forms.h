#pragma once
// Small helpers for the settings forms: spin boxes and combos named after the config field they
// edit (the field name is the object name, so tests and error messages can find them).

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSpinBox>

class QFormLayout;
class QLabel;

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
/// Sets a field's own tooltip (its help, on a language switch): a field marked invalid keeps showing its
/// problem and gets this tooltip back when the mark is cleared.
void setFieldToolTip(QWidget* field, const QString& tip);
/// Sets the shown texts of a combo's items found by their data (`key`, text), keeping order, data and
/// the current item.
void setItemTexts(QComboBox* combo, const QList<QPair<QString, QString>>& items);
/// Adds a row whose label is set later (setRowLabel(), from a page's retranslate()).
void addFormRow(QFormLayout* form, QWidget* field);
void addFormRow(QFormLayout* form, QLayout* field);
/// Sets the label of `field`'s row in `form`.
void setRowLabel(QFormLayout* form, QWidget* field, const QString& text);
void setRowLabel(QFormLayout* form, QLayout* field, const QString& text);
/// Selects the item whose data is `key`; false if none.
bool selectKey(QComboBox* combo, const QString& key);
QString currentKey(const QComboBox* combo);

} // namespace phinet::gui
