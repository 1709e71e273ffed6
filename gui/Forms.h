#pragma once
// Small helpers for the settings forms: spin boxes and combos named after the config field they
// edit (the field name is the object name, so tests and error messages can find them).

#include "phinet/common/ConfigFields.h"

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

/// A settings struct's fields (its visitFields() list: the same one JSON, validate() and the command
/// line use) read from and written to the widgets named after their JSON keys under `page`: a spin
/// box for a number, a check box for a flag, a combo (items carrying the names) for a choice. A field
/// without a widget on the page keeps its value. So a new setting needs its widget and form row, and
/// no line in the page's config()/setConfig().
struct FieldWidgetReader {
    const QWidget* page;
    template <typename T> void integer(const char* key, T& v, T, T, const char*)
    {
        if (auto* w = page->findChild<QSpinBox*>(QLatin1String(key))) v = T(w->value());
    }
    void real(const char* key, double& v, double, double, const char*, Bounds = Bounds::Closed)
    {
        if (auto* w = page->findChild<QDoubleSpinBox*>(QLatin1String(key))) v = w->value();
    }
    void flag(const char* key, bool& v, const char*)
    {
        if (auto* w = page->findChild<QCheckBox*>(QLatin1String(key))) v = w->isChecked();
    }
    template <typename E> void choice(const char* key, E& v, const Choices<E>& c, const char*)
    {
        if (auto* w = page->findChild<QComboBox*>(QLatin1String(key)))
            if (auto e = c.parse(currentKey(w).toStdString())) v = *e;
    }
};
struct FieldWidgetWriter {
    QWidget* page;
    template <typename T> void integer(const char* key, T& v, T, T, const char*)
    {
        if (auto* w = page->findChild<QSpinBox*>(QLatin1String(key)))
            w->setValue(int(std::min<long double>(std::max<long double>(v, w->minimum()), w->maximum())));
    }
    void real(const char* key, double& v, double, double, const char*, Bounds = Bounds::Closed)
    {
        if (auto* w = page->findChild<QDoubleSpinBox*>(QLatin1String(key))) w->setValue(v);
    }
    void flag(const char* key, bool& v, const char*)
    {
        if (auto* w = page->findChild<QCheckBox*>(QLatin1String(key))) w->setChecked(v);
    }
    template <typename E> void choice(const char* key, E& v, const Choices<E>&, const char*)
    {
        if (auto* w = page->findChild<QComboBox*>(QLatin1String(key)))
            selectKey(w, QString::fromStdString(toString(v)));
    }
};
/// `s` with every field that has a widget under `page` read from it.
template <class S> S readFields(const QWidget* page, S s)
{
    FieldWidgetReader r{page};
    visitFields(r, s);
    return s;
}
/// Sets the widgets under `page` from `s`.
template <class S> void writeFields(QWidget* page, S s)
{
    FieldWidgetWriter w{page};
    visitFields(w, s);
}

} // namespace phinet::gui
