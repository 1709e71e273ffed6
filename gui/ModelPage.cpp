#include "ModelPage.h"

#include "FitCharts.h"
#include "Forms.h"

#include "phinet/common/Error.h"
#include "phinet/common/Paths.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
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

QString kb(std::int64_t v)
{
    return QString::fromStdString(formatKb(v));
}

QString coloured(const QString& text, bool good)
{
    return QStringLiteral("<span style='color:%1'>%2</span>")
        .arg(good ? QStringLiteral("#2e7d32") : QStringLiteral("#c62828"), text.toHtmlEscaped());
}

} // namespace

ModelPage::ModelPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("modelPage"));
    // A flagged field gets a red frame; its tooltip says what is wrong.
    setStyleSheet(QStringLiteral("*[invalid=\"true\"] { border: 2px solid #d9534f; border-radius: 3px; }"));

    // texts and tooltips: retranslate()
    form_ = new QFormLayout;
    input_ = new QLineEdit(this);
    input_->setObjectName(QStringLiteral("input"));
    input_->setPlaceholderText(QStringLiteral("C,H,W"));
    alpha_ = makeDouble(this, "alpha", 0.0, 20.0, 0.25, 3);
    beta_ = makeDouble(this, "beta", 0.0, 5.0, 0.05, 3);
    t0_ = makeDouble(this, "t0", 0.0, 20.0, 0.5, 3);
    layers_ = makeInt(this, "layers", 0, 64);
    classes_ = makeInt(this, "classes", 0, 100000);
    variant_ = new QComboBox(this);
    variant_->setObjectName(QStringLiteral("variant"));
    for (Variant v : {Variant::Original, Variant::Modified, Variant::ModifiedEarly})
        variant_->addItem(QString(), int(v));
    divisor_ = makeInt(this, "divisor", 0, 64);
    bnMomentum_ = makeDouble(this, "bnMomentum", 0.0, 1.0, 0.001, 4);
    for (QWidget* w : std::initializer_list<QWidget*>{input_, alpha_, beta_, t0_, layers_, classes_, variant_, divisor_,
                                                      bnMomentum_})
        addFormRow(form_, w);

    formBox_ = new QGroupBox(this);
    auto* formLayout = new QVBoxLayout(formBox_);
    formLayout->addLayout(form_);
    status_ = new QLabel(this);
    status_->setObjectName(QStringLiteral("status"));
    status_->setWordWrap(true);
    formLayout->addWidget(status_);
    totals_ = new QLabel(this);
    totals_->setObjectName(QStringLiteral("totals"));
    totals_->setTextFormat(Qt::RichText);
    totals_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    formLayout->addWidget(totals_);
    formBox_->setMaximumWidth(360);

    // The microcontroller target: board, reserves, the verdict and the search.
    mcuBox_ = new QGroupBox(this);
    mcuBox_->setObjectName(QStringLiteral("mcuBox"));
    mcuBox_->setMaximumWidth(360);
    target_ = new QComboBox(mcuBox_);
    target_->setObjectName(QStringLiteral("target"));
    target_->addItem(QString(), QString());
    QString targetsError;
    try {
        targets_ = listTargets();
    } catch (const std::exception& e) { // a bad user targets file: say which, keep the bundled boards out
        targetsError = QString::fromUtf8(e.what());
    }
    for (const auto& t : targets_) {
        target_->addItem(QString(), QString::fromStdString(t.name));
        target_->setItemData(target_->count() - 1,
                             QString::fromStdString(t.mcu + "\n" + t.source + (t.note.empty() ? "" : "\n" + t.note)),
                             Qt::ToolTipRole);
    }
    reserveRam_ = makeInt(mcuBox_, "reserveRam", 0, 1 << 20);
    reserveRam_->setSuffix(QStringLiteral(" KB"));
    reserveRam_->setValue(int(McuReserve::kDefaultRamBytes / 1024));
    reserveFlash_ = makeInt(mcuBox_, "reserveFlash", 0, 1 << 20);
    reserveFlash_->setSuffix(QStringLiteral(" KB"));
    reserveFlash_->setValue(int(McuReserve::kDefaultFlashBytes / 1024));
    mcuForm_ = new QFormLayout;
    for (QWidget* w : std::initializer_list<QWidget*>{target_, reserveRam_, reserveFlash_})
        addFormRow(mcuForm_, w);
    auto* mcuLayout = new QVBoxLayout(mcuBox_);
    mcuLayout->addLayout(mcuForm_);
    verdictLabel_ = new QLabel(mcuBox_);
    verdictLabel_->setObjectName(QStringLiteral("verdict"));
    verdictLabel_->setTextFormat(Qt::RichText);
    verdictLabel_->setWordWrap(true);
    verdictLabel_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    mcuLayout->addWidget(verdictLabel_);
    findFit_ = new QPushButton(mcuBox_);
    findFit_->setObjectName(QStringLiteral("findFit"));
    mcuLayout->addWidget(findFit_);
    fitResult_ = new QLabel(mcuBox_);
    fitResult_->setObjectName(QStringLiteral("fitResult"));
    fitResult_->setWordWrap(true);
    fitResult_->setTextFormat(Qt::RichText);
    fitResult_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    if (!targetsError.isEmpty()) fitResult_->setText(coloured(targetsError, false));
    mcuLayout->addWidget(fitResult_);

    table_ = new QTableWidget(this);
    table_->setObjectName(QStringLiteral("layerTable"));
    table_->setColumnCount(14);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->setAlternatingRowColors(true);

    charts_ = new FitCharts(this);
    auto* right = new QSplitter(Qt::Vertical, this);
    right->setObjectName(QStringLiteral("modelSplitter"));
    right->addWidget(table_);
    right->addWidget(charts_);
    right->setStretchFactor(0, 1);
    right->setStretchFactor(1, 1);

    auto* left = new QVBoxLayout;
    left->addWidget(formBox_);
    left->addWidget(mcuBox_);
    left->addStretch();
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left);
    layout->addWidget(right, 1);
    retranslate();

    // the target and reserves persist between sessions (the PhiNet knobs travel with the presets)
    QSettings settings;
    setTargetName(settings.value(QStringLiteral("model/target")).toString());
    reserveRam_->setValue(settings.value(QStringLiteral("model/reserveRamKb"), reserveRam_->value()).toInt());
    reserveFlash_->setValue(settings.value(QStringLiteral("model/reserveFlashKb"), reserveFlash_->value()).toInt());

    setConfig(PhiNetConfig::study(Variant::Modified, {1, 28, 28}));

    for (auto* s : {alpha_, beta_, t0_, bnMomentum_})
        connect(s, &QDoubleSpinBox::valueChanged, this, &ModelPage::recompute);
    for (auto* s : {layers_, classes_, divisor_})
        connect(s, &QSpinBox::valueChanged, this, &ModelPage::recompute);
    connect(input_, &QLineEdit::textChanged, this, &ModelPage::recompute);
    connect(target_, &QComboBox::currentIndexChanged, this, [this] {
        QSettings().setValue(QStringLiteral("model/target"), targetName());
        fitResult_->clear();
        updateVerdict();
    });
    for (auto* s : {reserveRam_, reserveFlash_})
        connect(s, &QSpinBox::valueChanged, this, [this] {
            QSettings settings;
            settings.setValue(QStringLiteral("model/reserveRamKb"), reserveRam_->value());
            settings.setValue(QStringLiteral("model/reserveFlashKb"), reserveFlash_->value());
            updateVerdict();
        });
    connect(findFit_, &QPushButton::clicked, this, [this] { findLargestFit(); });
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

void ModelPage::retranslate()
{
    setFieldToolTip(input_,
                    tr("Input tensor shape: channels, height, width (e.g. 1,28,28 for MNIST, 3,32,32 for CIFAR-10)"));
    setFieldToolTip(alpha_, tr("Width multiplier: scales every channel count"));
    setFieldToolTip(beta_, tr("Shape factor: the last block expands by t0 x beta, the first by about t0"));
    setFieldToolTip(t0_, tr("Base expansion factor of the inverted-bottleneck blocks"));
    setFieldToolTip(layers_, tr("Number of expanding blocks N (blocks 1 to 3 are always built)"));
    variant_->setItemText(variant_->findData(int(Variant::Original)), tr("Original (micromind 0.0.5)"));
    variant_->setItemText(variant_->findData(int(Variant::Modified)), tr("Modified (quantization-friendly)"));
    variant_->setItemText(variant_->findData(int(Variant::ModifiedEarly)), tr("Modified, early (sweep plots)"));
    setFieldToolTip(divisor_, tr("Channel divisor of the modified variant: widths rounded to multiples of it"));
    setFieldToolTip(bnMomentum_, tr("BatchNorm momentum in PyTorch's meaning. PhiNet's 0.999 makes running statistics "
                                    "follow the last training batch; 0.1 is PyTorch's usual value."));
    setRowLabel(form_, input_, tr("Input shape (C,H,W)"));
    setRowLabel(form_, alpha_, tr("Alpha (width)"));
    setRowLabel(form_, beta_, tr("Beta (shape)"));
    setRowLabel(form_, t0_, tr("t0 (expansion)"));
    setRowLabel(form_, layers_, tr("Blocks N"));
    setRowLabel(form_, classes_, tr("Classes"));
    setRowLabel(form_, variant_, tr("Variant"));
    setRowLabel(form_, divisor_, tr("Divisor"));
    setRowLabel(form_, bnMomentum_, tr("BN momentum"));
    formBox_->setTitle(tr("PhiNet configuration"));

    mcuBox_->setTitle(tr("Microcontroller target"));
    target_->setItemText(0, tr("none"));
    for (std::size_t i = 0; i < targets_.size(); ++i) {
        const auto& t = targets_[i];
        target_->setItemText(int(i) + 1, tr("%1 (%2 KB flash, %3 KB RAM)")
                                             .arg(QString::fromStdString(t.name))
                                             .arg(t.flashBytes / 1024)
                                             .arg(t.ramBytes / 1024));
    }
    target_->setToolTip(tr("The board to check the network against. Add your own boards in %1")
                            .arg(QString::fromStdString((userDataDir() / "targets.json").string())));
    reserveRam_->setToolTip(
        tr("RAM kept for the stack, the heap, the runtime and I/O buffers, taken off the board's RAM "
           "(default %1 KB; 1 KB = 1024 bytes)")
            .arg(McuReserve::kDefaultRamBytes / 1024));
    reserveFlash_->setToolTip(tr("Flash kept for the runtime, its kernels and the rest of the firmware, taken off the "
                                 "board's flash (default %1 KB)")
                                  .arg(McuReserve::kDefaultFlashBytes / 1024));
    setRowLabel(mcuForm_, target_, tr("Board"));
    setRowLabel(mcuForm_, reserveRam_, tr("RAM reserve"));
    setRowLabel(mcuForm_, reserveFlash_, tr("Flash reserve"));
    findFit_->setText(tr("Find the largest that fits"));
    findFit_->setToolTip(tr("Searches alpha (0.10 to 5.00 in steps of 0.05) and the number of blocks (4 to 10) of the "
                            "MODIFIED variant at this input, classes, beta and t0 for the network with the most MACs "
                            "whose INT8 flash and peak RAM fit the board, and applies it"));

    table_->setHorizontalHeaderLabels({tr("Layer"), tr("Kind"), tr("In"), tr("Expanded"), tr("SE"), tr("Out"), tr("k"),
                                       tr("Stride"), tr("t"), tr("Spatial"), tr("Params"), tr("MACs"),
                                       tr("Output (INT8)"), tr("Peak RAM (FP32)")});
}

void ModelPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        recompute(); // the status, totals and verdict lines in the new language
    }
    QWidget::changeEvent(event);
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

QWidget* ModelPage::fieldFor(const std::string& field) const
{
    if (field == "input") return input_;
    if (field == "alpha") return alpha_;
    if (field == "beta") return beta_;
    if (field == "t0") return t0_;
    if (field == "num_layers" || field == "downsampling_layers") return layers_;
    if (field == "classes" || field == "num_classes") return classes_;
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
            const QString msg = QString::fromStdString(p.text());
            lines << msg.toHtmlEscaped(); // escaped one by one: the <br> between them stays a break
            if (QWidget* f = fieldFor(p.field)) {
                const QString prev = errors_.value(f->objectName());
                errors_.insert(f->objectName(), prev.isEmpty() ? msg : prev + QLatin1Char('\n') + msg);
                flag(f, errors_.value(f->objectName()));
            }
        }
        summary_.reset();
        status_->setText(
            QStringLiteral("<span style='color:#d9534f'>%1</span>").arg(lines.join(QStringLiteral("<br>"))));
        totals_->clear();
        table_->setRowCount(0);
        updateVerdict();
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
        const QStringList cells{QString::fromStdString(r.name),
                                QString::fromStdString(r.kind),
                                QString::number(r.inChannels),
                                num(r.expandedChannels),
                                num(r.seChannels),
                                QString::number(r.outChannels),
                                num(r.kernel),
                                QString::number(r.stride),
                                r.expansion > 0 ? QString::number(r.expansion, 'f', 4) : QStringLiteral("-"),
                                QStringLiteral("%1x%2 \u2192 %3x%4").arg(r.inH).arg(r.inW).arg(r.outH).arg(r.outW),
                                thousands(r.params),
                                thousands(r.macs),
                                bytes(r.outputElements),
                                bytes(4 * r.peakElements)};
        for (int col = 0; col < cells.size(); ++col) {
            auto* item = new QTableWidgetItem(cells[col]);
            if (col >= 2) item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(i, col, item);
        }
    }
    updateVerdict();
    Q_EMIT configChanged();
}

QString ModelPage::targetName() const
{
    return target_->currentData().toString();
}

void ModelPage::setTargetName(const QString& name)
{
    const int i = target_->findData(name);
    target_->setCurrentIndex(i >= 0 ? i : 0);
}

McuReserve ModelPage::reserve() const
{
    McuReserve r;
    r.ramBytes = std::int64_t(reserveRam_->value()) * 1024;
    r.flashBytes = std::int64_t(reserveFlash_->value()) * 1024;
    return r;
}

void ModelPage::setReserve(const McuReserve& r)
{
    reserveRam_->setValue(int(r.ramBytes / 1024));
    reserveFlash_->setValue(int(r.flashBytes / 1024));
}

void ModelPage::updateVerdict()
{
    verdict_.reset();
    const QString name = targetName();
    if (!summary_) {
        charts_->clear();
        verdictLabel_->setText(name.isEmpty() ? tr("Choose a board to see whether this network fits it.")
                                              : tr("No verdict: the configuration is invalid."));
        return;
    }
    if (!name.isEmpty()) verdict_ = checkFit(*summary_, findTarget(targets_, name.toStdString()), reserve());
    charts_->setSummary(*summary_, verdict_);
    if (!verdict_) {
        verdictLabel_->setText(tr("Choose a board to see whether this network fits it."));
        return;
    }
    auto line = [](const PrecisionFit& f) {
        const QString ram =
            f.ramFits() ? tr("RAM %1 spare").arg(kb(f.ramMarginBytes()))
                        : tr("RAM over by %1 at %2").arg(kb(-f.ramMarginBytes()), QString::fromStdString(f.ramPeakAt));
        const QString flash = f.flashFits() ? tr("flash %1 spare").arg(kb(f.flashMarginBytes()))
                                            : tr("flash over by %1").arg(kb(-f.flashMarginBytes()));
        if (f.fits()) return coloured(tr("fits: %1, %2").arg(ram, flash), true);
        return coloured(tr("does not fit: %1; %2").arg(f.ramFits() ? flash : ram, f.ramFits() ? ram : flash), false);
    };
    const auto& v = *verdict_;
    verdictLabel_->setText(tr("<b>INT8</b> %1<br><b>FP32</b> %2<br><small>%3 after the reserve: RAM %4 (peak INT8 %5), "
                              "flash %6 (INT8 %7); 1 KB = 1024 bytes</small>")
                               .arg(line(v.int8), line(v.fp32), QString::fromStdString(v.target.name).toHtmlEscaped(),
                                    kb(v.int8.ramBudgetBytes), kb(v.int8.ramBytes), kb(v.int8.flashBudgetBytes),
                                    kb(v.int8.flashBytes)));
}

bool ModelPage::findLargestFit()
{
    const QString name = targetName();
    if (name.isEmpty()) {
        fitResult_->setText(coloured(tr("Choose a board first."), false));
        return false;
    }
    const PhiNetConfig current = config();
    FitRequest r;
    r.input = current.input;
    r.numClasses = current.numClasses;
    r.target = findTarget(targets_, name.toStdString());
    r.reserve = reserve();
    r.grid.betas = {current.beta};
    r.grid.t0s = {current.t0};
    FitResult res;
    try {
        res = phinet::findLargestFit(r);
    } catch (const ConfigError& e) {
        fitResult_->setText(coloured(QString::fromUtf8(e.what()), false));
        return false;
    }
    const QString searched = tr("%1 networks searched in %2 ms: MODIFIED variant, alpha 0.10 to 5.00 in steps of 0.05, "
                                "4 to 10 blocks, beta %3, t0 %4")
                                 .arg(res.evaluated)
                                 .arg(res.seconds * 1000, 0, 'f', 0)
                                 .arg(current.beta)
                                 .arg(current.t0);
    if (res.best) {
        PhiNetConfig c = res.best->config;
        c.bnMomentum = current.bnMomentum;
        setConfig(c);
        fitResult_->setText(
            tr("Applied the largest network that fits %1: alpha %2, %3 blocks, %4 MACs.<br><small>%5</small>")
                .arg(name.toHtmlEscaped())
                .arg(c.alpha, 0, 'f', 2)
                .arg(c.numLayers)
                .arg(thousands(res.best->summary.macs), searched));
        return true;
    }
    QString text =
        tr("Nothing on the grid fits %1 at %2x%3x%4.").arg(name).arg(r.input[0]).arg(r.input[1]).arg(r.input[2]);
    if (res.smallest) {
        const auto& f = res.smallest->verdict.int8;
        QStringList over;
        if (!f.ramFits())
            over << tr("RAM over by %1 at %2").arg(kb(-f.ramMarginBytes()), QString::fromStdString(f.ramPeakAt));
        if (!f.flashFits()) over << tr("flash over by %1").arg(kb(-f.flashMarginBytes()));
        text += QLatin1Char(' ') + tr("The smallest network (alpha %1, %2 blocks) is %3 in INT8.")
                                       .arg(res.smallest->config.alpha, 0, 'f', 2)
                                       .arg(res.smallest->config.numLayers)
                                       .arg(over.join(QStringLiteral(", ")));
        if (res.fittingInput)
            text += QLatin1Char(' ') + tr("It fits at input %1,%2,%3.")
                                           .arg((*res.fittingInput)[0])
                                           .arg((*res.fittingInput)[1])
                                           .arg((*res.fittingInput)[2]);
        else
            text += QLatin1Char(' ') + tr("It fits at no smaller square input either.");
    }
    fitResult_->setText(coloured(text, false) + QStringLiteral("<br><small>%1</small>").arg(searched));
    return false;
}

} // namespace phinet::gui
