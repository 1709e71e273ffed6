#include "Forms.h"

#include <QFormLayout>
#include <QLabel>
#include <QStyle>

namespace phinet::gui {

void markField(QWidget* field, const QString& problem)
{
    if (!field->property("baseToolTip").isValid()) field->setProperty("baseToolTip", field->toolTip());
    const bool invalid = !problem.isEmpty();
    field->setProperty("invalid", invalid);
    field->setToolTip(invalid ? problem : field->property("baseToolTip").toString());
    field->style()->unpolish(field);
    field->style()->polish(field);
}

void setFieldToolTip(QWidget* field, const QString& tip)
{
    if (field->property("baseToolTip").isValid()) field->setProperty("baseToolTip", tip);
    if (!field->property("invalid").toBool()) field->setToolTip(tip);
}

void setItemTexts(QComboBox* combo, const QList<QPair<QString, QString>>& items)
{
    for (const auto& [key, text] : items) {
        const int i = combo->findData(key);
        if (i >= 0) combo->setItemText(i, text);
    }
}

void addFormRow(QFormLayout* form, QWidget* field)
{
    auto* label = new QLabel(form->parentWidget());
    label->setBuddy(field);
    form->addRow(label, field);
}

void addFormRow(QFormLayout* form, QLayout* field)
{
    form->addRow(new QLabel(form->parentWidget()), field);
}

void setRowLabel(QFormLayout* form, QWidget* field, const QString& text)
{
    if (auto* label = qobject_cast<QLabel*>(form->labelForField(field))) label->setText(text);
}

void setRowLabel(QFormLayout* form, QLayout* field, const QString& text)
{
    if (auto* label = qobject_cast<QLabel*>(form->labelForField(field))) label->setText(text);
}

QSpinBox* intField(QWidget* parent, const char* name, int min, int max, const QString& tip, const QString& suffix)
{
    auto* w = new QSpinBox(parent);
    w->setObjectName(QString::fromLatin1(name));
    w->setRange(min, max);
    w->setToolTip(tip);
    w->setSuffix(suffix);
    w->setAccelerated(true);
    return w;
}

QDoubleSpinBox* realField(QWidget* parent, const char* name, double min, double max, int decimals, double step,
                          const QString& tip)
{
    auto* w = new QDoubleSpinBox(parent);
    w->setObjectName(QString::fromLatin1(name));
    w->setDecimals(decimals);
    w->setRange(min, max);
    w->setSingleStep(step);
    w->setToolTip(tip);
    w->setAccelerated(true);
    return w;
}

QCheckBox* boolField(QWidget* parent, const char* name, const QString& text, const QString& tip)
{
    auto* w = new QCheckBox(text, parent);
    w->setObjectName(QString::fromLatin1(name));
    w->setToolTip(tip);
    return w;
}

QComboBox* choiceField(QWidget* parent, const char* name, const QList<QPair<QString, QString>>& items,
                       const QString& tip)
{
    auto* w = new QComboBox(parent);
    w->setObjectName(QString::fromLatin1(name));
    for (const auto& [key, text] : items)
        w->addItem(text, key);
    w->setToolTip(tip);
    return w;
}

bool selectKey(QComboBox* combo, const QString& key)
{
    const int i = combo->findData(key);
    if (i < 0) return false;
    combo->setCurrentIndex(i);
    return true;
}

QString currentKey(const QComboBox* combo)
{
    return combo->currentData().toString();
}

} // namespace phinet::gui
