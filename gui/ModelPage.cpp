#include "ModelPage.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QRegularExpression>
#include <QSpinBox>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

namespace phinet::gui {
namespace {

QDoubleSpinBox* makeDouble(QWidget* parent, const char* name, double min, double max, double step, int decimals)
{
    auto* s = new QDoubleSpinBox(parent);
    s->setObjectName(QLatin1String(name));
    s->setRange(min, max);
    s->setSingleStep(step);
    s->setDecimals(decimals);
    s->setKeyboardTracking(true);
    return s;
}

QSpinBox* makeInt(QWidget* parent, const char* name, int min, int max)
{
    auto* s = new QSpinBox(parent);
    s->setObjectName(QLatin1String(name));
    s->setRange(min, max);
    return s;
}

QString thousands(std::int64_t v)
{
    return QString::fromStdString(withThousands(v));
}

QString bytes(std::int64_t v)
{
    return QString::fromStdString(humanBytes(v));
}

} // namespace

ModelPage::ModelPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("modelPage"));
    // A flagged field gets a red frame; its tooltip says what is wrong.
    setStyleSheet(QStringLiteral("*[invalid=\"true\"] { border: 2px solid #d9534f; border-radius: 3px; }"));

    auto* form = new QFormLayout;
    input_ = new QLineEdit(this);
    input_->setObjectName(QStringLiteral("input"));
    input_->setPlaceholderText(QStringLiteral("C,H,W"));
    input_->setToolTip(tr("Input tensor shape: channels, height, width (e.g. 1,28,28 for MNIST, 3,32,32 for CIFAR-10)"));
    alpha_ = makeDouble(this, "alpha", 0.0, 20.0, 0.25, 3);
    alpha_->setToolTip(tr("Width multiplier: scales every channel count"));
    beta_ = makeDouble(this, "beta", 0.0, 5.0, 0.05, 3);
    beta_->setToolTip(tr("Shape factor: the last block expands by t0 x beta, the first by about t0"));
    t0_ = makeDouble(this, "t0", 0.0, 20.0, 0.5, 3);
    t0_->setToolTip(tr("Base expansion factor of the inverted-bottleneck blocks"));
    layers_ = makeInt(this, "layers", 0, 64);
    layers_->setToolTip(tr("Number of expanding blocks N (blocks 1 to 3 are always built)"));
    classes_ = makeInt(this, "classes", 0, 100000);
    variant_ = new QComboBox(this);
    variant_->setObjectName(QStringLiteral("variant"));
    variant_->addItem(tr("Original (micromind 0.0.5)"), int(Variant::Original));
    variant_->addItem(tr("Modified (quantization-friendly)"), int(Variant::Modified));
    variant_->addItem(tr("Modified, early (sweep plots)"), int(Variant::ModifiedEarly));
    divisor_ = makeInt(this, "divisor", 0, 64);
    divisor_->setToolTip(tr("Channel divisor of the modified variant: widths rounded to multiples of it"));
    bnMomentum_ = makeDouble(this, "bnMomentum", 0.0, 1.0, 0.001, 4);
    bnMomentum_->setToolTip(tr("BatchNorm momentum in PyTorch's meaning. PhiNet's 0.999 makes running statistics "
                               "follow the last training batch; 0.1 is PyTorch's usual value."));
    form->addRow(tr("Input shape (C,H,W)"), input_);
    form->addRow(tr("Alpha (width)"), alpha_);
    form->addRow(tr("Beta (shape)"), beta_);
    form->addRow(tr("t0 (expansion)"), t0_);
    form->addRow(tr("Blocks N"), layers_);
    form->addRow(tr("Classes"), classes_);
    form->addRow(tr("Variant"), variant_);
    form->addRow(tr("Divisor"), divisor_);
    form->addRow(tr("BN momentum"), bnMomentum_);

    auto* formBox = new QGroupBox(tr("PhiNet configuration"), this);
    auto* formLayout = new QVBoxLayout(formBox);
    formLayout->addLayout(form);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);
    formLayout->addWidget(status_);
    totals_ = new QLabel(this);
    totals_->setObjectName(QStringLiteral("totals"));
    totals_->setTextFormat(Qt::RichText);
    totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    formLayout->addWidget(totals_);
    formLayout->addStretch();
    formBox->setMaximumWidth(360);

    table_ = new QTableWidget(this);
    table_->setObjectName(QStringLiteral("layerTable"));
    const QStringList headers{tr("Layer"), tr("Kind"), tr("In"), tr("Expanded"), tr("SE"), tr("Out"),
                              tr("k"), tr("Stride"), tr("t"), tr("Spatial"), tr("Params"), tr("MACs"),
                              tr("Output (INT8)"), tr("Peak RAM (FP32)")};
    table_->setColumnCount(headers.size());
    table_->setHorizontalHeaderLabels(headers);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setAlternatingRowColors(true);

    auto* layout = new QHBoxLayout(this);
    layout->addWidget(formBox);
    layout->addWidget(table_, 1);

    setConfig(PhiNetConfig::study(Variant::Modified, {1, 28, 28}));

    for (auto* s : {alpha_, beta_, t0_, bnMomentum_})
        connect(s, &QDoubleSpinBox::valueChanged, this, &ModelPage::recompute);
    for (auto* s : {layers_, classes_, divisor_})
        connect(s, &QSpinBox::valueChanged, this, &ModelPage::recompute);
    connect(input_, &QLineEdit::textChanged, this, &ModelPage::recompute);
    connect(variant_, &QComboBox::currentIndexChanged, this, [this] {
        if (updating_) return;
        // The modified variant is defined with a divisor (the study used 8); the others have none.
        const auto v = Variant(variant_->currentData().toInt());
        updating_ = true;
        divisor_->setValue(v == Variant::Modified ? 8 : 1);
        divisor_->setEnabled(v == Variant::Modified);
        updating_ = false;
        recompute();
    });
}

PhiNetConfig ModelPage::config() const
{
    PhiNetConfig c;
    const auto parts = input_->text().split(QLatin1Char(','));
    c.input = {0, 0, 0};
    if (parts.size() == 3) {
        for (int i = 0; i < 3; ++i) {
            bool ok = false;
            const int v = parts[i].trimmed().toInt(&ok);
            c.input[i] = ok ? v : 0;
        }
    }
    c.alpha = alpha_->value();
    c.beta = beta_->value();
    c.t0 = t0_->value();
    c.numLayers = layers_->value();
    c.numClasses = classes_->value();
    c.variant = Variant(variant_->currentData().toInt());
    c.divisor = divisor_->value();
    c.bnMomentum = bnMomentum_->value();
    c.downsamplingLayers = PhiNetConfig::defaultDownsampling(c.numLayers);
    return c;
}

void ModelPage::setConfig(const PhiNetConfig& c)
{
    updating_ = true;
    input_->setText(QStringLiteral("%1,%2,%3").arg(c.input[0]).arg(c.input[1]).arg(c.input[2]));
    alpha_->setValue(c.alpha);
    beta_->setValue(c.beta);
    t0_->setValue(c.t0);
    layers_->setValue(c.numLayers);
    classes_->setValue(c.numClasses);
    variant_->setCurrentIndex(variant_->findData(int(c.variant)));
    divisor_->setValue(c.divisor);
    divisor_->setEnabled(c.variant == Variant::Modified);
    bnMomentum_->setValue(c.bnMomentum);
    updating_ = false;
    recompute();
}

QWidget* ModelPage::fieldFor(const std::string& problem) const
{
    const auto field = problem.substr(0, problem.find(':'));
    if (field == "input") return input_;
    if (field == "alpha") return alpha_;
    if (field == "beta") return beta_;
    if (field == "t0") return t0_;
    if (field == "num_layers" || field == "downsampling_layers") return layers_;
    if (field == "classes") return classes_;
    if (field == "divisor") return divisor_;
    if (field == "bn_momentum") return bnMomentum_;
    return nullptr;
}

void ModelPage::flag(QWidget* field, const QString& message)
{
    const bool invalid = !message.isEmpty();
    field->setProperty("invalid", invalid);
    field->setToolTip(invalid ? message : field->property("baseToolTip").toString());
    field->style()->unpolish(field);
    field->style()->polish(field);
}

void ModelPage::recompute()
{
    if (updating_) return;
    for (QWidget* f : {static_cast<QWidget*>(input_), static_cast<QWidget*>(alpha_), static_cast<QWidget*>(beta_),
                       static_cast<QWidget*>(t0_), static_cast<QWidget*>(layers_), static_cast<QWidget*>(classes_),
                       static_cast<QWidget*>(divisor_), static_cast<QWidget*>(bnMomentum_)}) {
        if (!f->property("baseToolTip").isValid()) f->setProperty("baseToolTip", f->toolTip());
        if (f->property("invalid").toBool()) flag(f, QString());
    }
    errors_.clear();

    const PhiNetConfig c = config();
    const auto problems = c.validate();
    if (!problems.empty()) {
        QStringList lines;
        for (const auto& p : problems) {
            const QString msg = QString::fromStdString(p);
            lines << msg;
            if (QWidget* f = fieldFor(p)) {
                const QString prev = errors_.value(f->objectName());
                errors_.insert(f->objectName(), prev.isEmpty() ? msg : prev + QLatin1Char('\n') + msg);
                flag(f, errors_.value(f->objectName()));
            }
        }
        summary_.reset();
        status_->setText(QStringLiteral("<span style='color:#d9534f'>%1</span>").arg(lines.join(QStringLiteral("<br>")).toHtmlEscaped()));
        totals_->clear();
        table_->setRowCount(0);
        Q_EMIT configChanged();
        return;
    }

    summary_ = summarize(c);
    const auto& s = *summary_;
    status_->setText(tr("Valid configuration."));
    totals_->setText(tr("<b>Params</b> %1<br><b>MACs</b> %2<br><b>Flash</b> FP32 %3, INT8 %4<br>"
                        "<b>Peak RAM</b> FP32 %5, INT8 %6<br><small>peak at %7; batch 1, BN folded</small>")
                         .arg(thousands(s.params), thousands(s.macs), bytes(s.flashBytesFp32), bytes(s.flashBytesInt8),
                              bytes(s.peakRamBytesFp32), bytes(s.peakRamBytesInt8),
                              QString::fromStdString(s.peakRamAt)));
    table_->setRowCount(int(s.rows.size()));
    for (int i = 0; i < int(s.rows.size()); ++i) {
        const auto& r = s.rows[size_t(i)];
        auto num = [](std::int64_t v) { return v ? QString::number(v) : QStringLiteral("-"); };
        const QStringList cells{QString::fromStdString(r.name), QString::fromStdString(r.kind),
                                QString::number(r.inChannels), num(r.expandedChannels), num(r.seChannels),
                                QString::number(r.outChannels), num(r.kernel), QString::number(r.stride),
                                r.expansion > 0 ? QString::number(r.expansion, 'f', 4) : QStringLiteral("-"),
                                QStringLiteral("%1x%2 \u2192 %3x%4").arg(r.inH).arg(r.inW).arg(r.outH).arg(r.outW),
                                thousands(r.params), thousands(r.macs), bytes(r.outputElements),
                                bytes(4 * r.peakElements)};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (col >= 2) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(i, col, item);
        }
    }
    Q_EMIT configChanged();
}

} // namespace phinet::gui
