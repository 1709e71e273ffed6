#include "Forms.h"

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
