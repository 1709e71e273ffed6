#include "SettingsPages.h"

#include "Forms.h"

#include "phinet/bench/Latency.h"
#include "phinet/common/Limits.h"
#include "phinet/common/Threads.h"

#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace phinet::gui {
namespace {

/// Emits `signal` of `page` whenever any field in the list changes.
template <typename Page> void forwardChanges(Page* page, const QList<QWidget*>& fields)
{
    for (auto* w : fields) {
        if (auto* s = qobject_cast<QSpinBox*>(w))
            QObject::connect(s, &QSpinBox::valueChanged, page, &Page::changed);
        else if (auto* d = qobject_cast<QDoubleSpinBox*>(w))
            QObject::connect(d, &QDoubleSpinBox::valueChanged, page, &Page::changed);
        else if (auto* c = qobject_cast<QComboBox*>(w))
            QObject::connect(c, &QComboBox::currentIndexChanged, page, &Page::changed);
        else if (auto* b = qobject_cast<QCheckBox*>(w))
            QObject::connect(b, &QCheckBox::toggled, page, &Page::changed);
    }
}

QLabel* note(const QString& text, QWidget* parent)
{
    auto* l = new QLabel(text, parent);
    l->setWordWrap(true);
    l->setTextFormat(Qt::RichText);
    return l;
}

} // namespace

// ---------------------------------------------------------------------------------------------- TrainForm

TrainForm::TrainForm(const QString& prefix, QWidget* parent) : QWidget(parent)
{
    setObjectName(prefix);
    // texts and tooltips: retranslate()
    optimizer_ = choiceField(
        this, "optimizer",
        {{QStringLiteral("adam"), QString()}, {QStringLiteral("adamw"), QString()}, {QStringLiteral("sgd"), QString()}},
        QString());
    lr_ = realField(this, "lr", 1e-6, 10, 6, 1e-4, QString());
    momentum_ = realField(this, "momentum", 0, 0.999, 3, 0.01, QString());
    weightDecay_ = realField(this, "weight_decay", 0, 1, 6, 1e-4, QString());
    schedule_ = choiceField(this, "schedule",
                            {{QStringLiteral("constant"), QString()},
                             {QStringLiteral("step"), QString()},
                             {QStringLiteral("cosine"), QString()}},
                            QString());
    stepEpochs_ = intField(this, "step_epochs", 1, 1000, QString());
    stepGamma_ = realField(this, "step_gamma", 0.001, 1, 3, 0.05, QString());
    labelSmoothing_ = realField(this, "label_smoothing", 0, 0.5, 3, 0.01, QString());
    gradClip_ = realField(this, "grad_clip", 0, 1000, 2, 0.5, QString());
    epochs_ = intField(this, "epochs", 1, 1000, QString());
    batch_ = intField(this, "batch_size", 1, 65536, QString());
    evalBatch_ = intField(this, "eval_batch_size", 1, 65536, QString());
    seed_ = intField(this, "seed", 0, 2147483647, QString());
    threads_ = intField(this, "threads", 0, maxThreads(), QString());
    reportEvery_ = intField(this, "report_every", 1, 100000, QString());
    channelsLast_ = boolField(this, "channels_last", QString(), QString());
    evaluate_ = boolField(this, "evaluate_each_epoch", QString(), QString());

    form_ = new QFormLayout(this);
    form_->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    for (QWidget* w : std::initializer_list<QWidget*>{optimizer_, lr_, momentum_, weightDecay_, schedule_, stepEpochs_,
                                                      stepGamma_, labelSmoothing_, gradClip_, epochs_, batch_,
                                                      evalBatch_, seed_, threads_, reportEvery_})
        addFormRow(form_, w);
    form_->addRow(channelsLast_);
    form_->addRow(evaluate_);
    retranslate();

    setConfig(TrainConfig{});
    forwardChanges(this,
                   {optimizer_, lr_, momentum_, weightDecay_, schedule_, stepEpochs_, stepGamma_, labelSmoothing_,
                    gradClip_, epochs_, batch_, evalBatch_, seed_, threads_, reportEvery_, channelsLast_, evaluate_});
    connect(this, &TrainForm::changed, this, &TrainForm::updateEnabled);
}

void TrainForm::retranslate()
{
    setItemTexts(optimizer_, {{QStringLiteral("adam"), tr("Adam")},
                              {QStringLiteral("adamw"), tr("AdamW")},
                              {QStringLiteral("sgd"), tr("SGD with momentum")}});
    setFieldToolTip(optimizer_, tr("The optimizer (the study used Adam)"));
    setFieldToolTip(lr_, tr("Learning rate (the study: 0.01 for ORIGINAL, 0.001 for MODIFIED)"));
    setFieldToolTip(momentum_, tr("SGD momentum"));
    setFieldToolTip(weightDecay_, tr("L2 penalty (Adam, SGD) or decoupled decay (AdamW)"));
    setItemTexts(schedule_, {{QStringLiteral("constant"), tr("Constant")},
                             {QStringLiteral("step"), tr("Step")},
                             {QStringLiteral("cosine"), tr("Cosine")}});
    setFieldToolTip(schedule_, tr("Learning-rate schedule over the epochs"));
    setFieldToolTip(stepEpochs_, tr("Step schedule: epochs between decays"));
    setFieldToolTip(stepGamma_, tr("Step schedule: factor applied at each decay"));
    setFieldToolTip(labelSmoothing_, tr("Label smoothing of the cross-entropy loss"));
    setFieldToolTip(gradClip_, tr("Clip the global gradient norm to this (0: off)"));
    setFieldToolTip(epochs_, tr("Training epochs (the study: 10)"));
    setFieldToolTip(batch_, tr("Training batch size (the study: 128)"));
    setFieldToolTip(evalBatch_, tr("Batch size for evaluation"));
    setFieldToolTip(seed_, tr("Random seed: weights, shuffling, augmentation"));
    setFieldToolTip(threads_, tr("Compute threads (0: all cores)"));
    threads_->setSpecialValueText(tr("all cores"));
    setFieldToolTip(reportEvery_, tr("Batches between live loss points"));
    channelsLast_->setText(tr("Channels-last tensors"));
    setFieldToolTip(channelsLast_, tr("NHWC memory layout: oneDNN's fast path for depthwise and 1x1 convolutions"));
    evaluate_->setText(tr("Evaluate on the test split after every epoch"));
    setFieldToolTip(evaluate_, tr("Gives the accuracy-per-epoch curve; costs one pass over the test split per epoch"));

    setRowLabel(form_, optimizer_, tr("Optimizer:"));
    setRowLabel(form_, lr_, tr("Learning rate:"));
    setRowLabel(form_, momentum_, tr("Momentum:"));
    setRowLabel(form_, weightDecay_, tr("Weight decay:"));
    setRowLabel(form_, schedule_, tr("LR schedule:"));
    setRowLabel(form_, stepEpochs_, tr("Step every (epochs):"));
    setRowLabel(form_, stepGamma_, tr("Step factor:"));
    setRowLabel(form_, labelSmoothing_, tr("Label smoothing:"));
    setRowLabel(form_, gradClip_, tr("Gradient clipping:"));
    setRowLabel(form_, epochs_, tr("Epochs:"));
    setRowLabel(form_, batch_, tr("Batch size:"));
    setRowLabel(form_, evalBatch_, tr("Evaluation batch:"));
    setRowLabel(form_, seed_, tr("Seed:"));
    setRowLabel(form_, threads_, tr("Threads:"));
    setRowLabel(form_, reportEvery_, tr("Loss point every (batches):"));
}

void TrainForm::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

void TrainForm::updateEnabled()
{
    momentum_->setEnabled(currentKey(optimizer_) == QLatin1String("sgd"));
    const bool step = currentKey(schedule_) == QLatin1String("step");
    stepEpochs_->setEnabled(step);
    stepGamma_->setEnabled(step);
}

TrainConfig TrainForm::config() const
{
    return readFields(this, TrainConfig{}); // every field by its widget (named after its JSON key)
}

void TrainForm::setConfig(const TrainConfig& c)
{
    {
        const QSignalBlocker block(this);
        writeFields(this, c);
    }
    updateEnabled();
}

// ------------------------------------------------------------------------------------------- TrainingPage

TrainingPage::TrainingPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("trainingPage"));
    // texts and tooltips: retranslate()
    original_ = new TrainForm(QStringLiteral("trainOriginal"), this);
    modified_ = new TrainForm(QStringLiteral("trainModified"), this);
    origBox_ = new QGroupBox(this);
    (new QVBoxLayout(origBox_))->addWidget(original_);
    modBox_ = new QGroupBox(this);
    (new QVBoxLayout(modBox_))->addWidget(modified_);

    trainOriginal_ = boolField(this, "stage_train_original", QString(), QString());
    trainModified_ = boolField(this, "stage_train_modified", QString(), QString());
    ptq_ = boolField(this, "stage_ptq", QString(), QString());
    qat_ = boolField(this, "stage_qat", QString(), QString());
    measure_ = boolField(this, "stage_measure", QString(), QString());
    stagesBox_ = new QGroupBox(this);
    auto* stages = new QHBoxLayout(stagesBox_);
    for (auto* w : {trainOriginal_, trainModified_, ptq_, qat_, measure_})
        stages->addWidget(w);
    stages->addStretch(1);

    auto* forms = new QHBoxLayout;
    forms->addWidget(origBox_);
    forms->addWidget(modBox_);
    note_ = note(QString(), this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note_);
    layout->addWidget(stagesBox_);
    layout->addLayout(forms);
    layout->addStretch(1);
    retranslate();

    connect(original_, &TrainForm::changed, this, &TrainingPage::changed);
    connect(modified_, &TrainForm::changed, this, &TrainingPage::changed);
    forwardChanges(this, {trainOriginal_, trainModified_, ptq_, qat_, measure_});
    setConfig(TrainConfig{}, TrainConfig{}, StageSwitches{});
}

void TrainingPage::retranslate()
{
    origBox_->setTitle(tr("ORIGINAL network (FP32)"));
    modBox_->setTitle(tr("MODIFIED network (FP32, then PTQ and QAT)"));
    trainOriginal_->setText(tr("Train ORIGINAL"));
    setFieldToolTip(trainOriginal_, tr("Train and measure the ORIGINAL network"));
    trainModified_->setText(tr("Train MODIFIED"));
    setFieldToolTip(trainModified_, tr("Train and measure the MODIFIED network"));
    ptq_->setText(tr("Post-training quantization"));
    setFieldToolTip(ptq_, tr("Calibrate and convert the trained MODIFIED network to INT8"));
    qat_->setText(tr("Quantization-aware training"));
    setFieldToolTip(qat_, tr("Fine-tune MODIFIED with fake quantization, then convert"));
    measure_->setText(tr("Measure size and latency"));
    setFieldToolTip(measure_, tr("Benchmark every model (see the Benchmark area)"));
    stagesBox_->setTitle(tr("Stages"));
    note_->setText(tr("The study trains both networks with Adam, batch 128, for 10 epochs; ORIGINAL with "
                      "learning rate 0.01 and MODIFIED with 0.001. Finished stages are cached in the output "
                      "folder: running again after a change retrains only what the change affects."));
}

void TrainingPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

TrainConfig TrainingPage::original() const
{
    return original_->config();
}
TrainConfig TrainingPage::modified() const
{
    return modified_->config();
}

StageSwitches TrainingPage::stages() const
{
    StageSwitches s;
    s.trainOriginal = trainOriginal_->isChecked();
    s.trainModified = trainModified_->isChecked();
    s.ptq = ptq_->isChecked();
    s.qat = qat_->isChecked();
    s.measure = measure_->isChecked();
    return s;
}

void TrainingPage::setConfig(const TrainConfig& original, const TrainConfig& modified, const StageSwitches& s)
{
    {
        const QSignalBlocker block(this);
        original_->setConfig(original);
        modified_->setConfig(modified);
        trainOriginal_->setChecked(s.trainOriginal);
        trainModified_->setChecked(s.trainModified);
        ptq_->setChecked(s.ptq);
        qat_->setChecked(s.qat);
        measure_->setChecked(s.measure);
    }
    Q_EMIT changed();
}

// ----------------------------------------------------------------------------------------------- QuantPage

QuantPage::QuantPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("quantizationPage"));
    // texts and tooltips: retranslate()
    QList<QPair<QString, QString>> observers;
    for (ObserverKind k : kObserverChoices.values)
        observers.append({QString::fromStdString(toString(k)), QString()});
    observer_ = choiceField(this, "observer", observers, QString());
    percentile_ = realField(this, "percentile", 90, 100, 3, 0.01, QString());
    weights_ =
        choiceField(this, "weights",
                    {{QStringLiteral("per-channel"), QString()}, {QStringLiteral("per-tensor"), QString()}}, QString());
    engine_ = choiceField(this, "engine",
                          {{QStringLiteral("onednn-fused"), QString()},
                           {QStringLiteral("onednn"), QString()},
                           {QStringLiteral("qnnpack"), QString()}},
                          QString());
    reduceRange_ = choiceField(
        this, "reduce_range",
        {{QStringLiteral("auto"), QString()}, {QStringLiteral("on"), QString()}, {QStringLiteral("off"), QString()}},
        QString());
    calibBatches_ = intField(this, "calib_batches", 1, 100000, QString());
    calibBatchSize_ = intField(this, "calib_batch_size", 1, 65536, QString());
    qatEpochs_ = intField(this, "qat_epochs", 0, 1000, QString());
    qatLr_ = realField(this, "qat_lr", 1e-7, 1, 7, 1e-5, QString());
    freezeObservers_ = intField(this, "freeze_observers_after", 0, 1000, QString());
    freezeBn_ = intField(this, "freeze_bn_after", 0, 1000, QString());
    learnedScales_ = boolField(this, "learned_scales", QString(), QString());
    averaging_ = realField(this, "averaging_constant", 0.0001, 1, 4, 0.001, QString());
    threads_ = intField(this, "threads", 0, maxThreads(), QString());
    hint_ = note(QString(), this);
    hint_->setObjectName(QStringLiteral("quantHint"));

    ptqBox_ = new QGroupBox(this);
    ptqForm_ = new QFormLayout(ptqBox_);
    ptqForm_->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    for (QWidget* w : std::initializer_list<QWidget*>{observer_, percentile_, averaging_, weights_, engine_,
                                                      reduceRange_, calibBatches_, calibBatchSize_, threads_})
        addFormRow(ptqForm_, w);
    qatBox_ = new QGroupBox(this);
    qatForm_ = new QFormLayout(qatBox_);
    qatForm_->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    for (QWidget* w : std::initializer_list<QWidget*>{qatEpochs_, qatLr_, freezeObservers_, freezeBn_})
        addFormRow(qatForm_, w);
    qatForm_->addRow(learnedScales_);

    auto* boxes = new QHBoxLayout;
    boxes->addWidget(ptqBox_);
    boxes->addWidget(qatBox_);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(boxes);
    layout->addWidget(hint_);
    layout->addStretch(1);
    retranslate();

    setConfig(QuantConfig{});
    forwardChanges(this, {observer_, percentile_, averaging_, weights_, engine_, reduceRange_, calibBatches_,
                          calibBatchSize_, qatEpochs_, qatLr_, freezeObservers_, freezeBn_, learnedScales_, threads_});
    connect(this, &QuantPage::changed, this, &QuantPage::updateHints);
}

void QuantPage::retranslate()
{
    // The core's one list of observers, each with its label here (a new one is a compiler warning
    // in the switch until it has a label).
    for (ObserverKind k : kObserverChoices.values) {
        QString label;
        switch (k) {
        case ObserverKind::HistogramMse:
            label = tr("Histogram, minimum MSE");
            break;
        case ObserverKind::HistogramPercentile:
            label = tr("Histogram, percentile");
            break;
        case ObserverKind::MinMax:
            label = tr("Min/max");
            break;
        case ObserverKind::MovingAverageMinMax:
            label = tr("Moving-average min/max");
            break;
        }
        setItemTexts(observer_, {{QString::fromStdString(toString(k)), label}});
    }
    setFieldToolTip(observer_, tr("How activation ranges are estimated from the calibration batches"));
    setFieldToolTip(percentile_, tr("Percentile observer: the range covers [100-p, p]"));
    setFieldToolTip(averaging_, tr("Moving-average observer: the weight of each new batch's min and max"));
    setItemTexts(weights_, {{QStringLiteral("per-channel"), tr("Per channel")},
                            {QStringLiteral("per-tensor"), tr("Per tensor")}});
    setFieldToolTip(weights_,
                    tr("Weight scales per output channel (recommended: per-tensor collapses depthwise layers)"));
    setItemTexts(engine_, {{QStringLiteral("onednn-fused"), tr("oneDNN, fused (x86-64)")},
                           {QStringLiteral("onednn"), tr("oneDNN (x86-64)")},
                           {QStringLiteral("qnnpack"), tr("QNNPACK (ARM)")}});
    setFieldToolTip(engine_, tr("LibTorch's quantized engine for the converted model"));
    setItemTexts(reduceRange_, {{QStringLiteral("auto"), tr("Automatic")},
                                {QStringLiteral("on"), tr("On (7-bit activations)")},
                                {QStringLiteral("off"), tr("Off (8-bit activations)")}});
    setFieldToolTip(reduceRange_, tr("7-bit activations avoid int16 saturation in oneDNN on CPUs without VNNI"));
    setFieldToolTip(calibBatches_, tr("Training batches used to calibrate the observers"));
    setFieldToolTip(calibBatchSize_, tr("Images per calibration batch"));
    setFieldToolTip(qatEpochs_, tr("Epochs of quantization-aware fine-tuning (0: QAT off)"));
    setFieldToolTip(qatLr_, tr("Learning rate of the QAT fine-tuning"));
    setFieldToolTip(freezeObservers_, tr("QAT epochs after which activation ranges stop moving (0: from the start)"));
    setFieldToolTip(freezeBn_, tr("QAT epochs after which BatchNorm uses its running statistics (0: from the start)"));
    learnedScales_->setText(tr("Learn activation scales (LSQ)"));
    setFieldToolTip(learnedScales_, tr("Activation step sizes are trained with the weights"));
    setFieldToolTip(threads_, tr("Compute threads (0: all cores)"));
    threads_->setSpecialValueText(tr("all cores"));

    ptqBox_->setTitle(tr("Post-training quantization"));
    setRowLabel(ptqForm_, observer_, tr("Observer:"));
    setRowLabel(ptqForm_, percentile_, tr("Percentile:"));
    setRowLabel(ptqForm_, averaging_, tr("Averaging constant:"));
    setRowLabel(ptqForm_, weights_, tr("Weights:"));
    setRowLabel(ptqForm_, engine_, tr("Engine:"));
    setRowLabel(ptqForm_, reduceRange_, tr("Reduced range:"));
    setRowLabel(ptqForm_, calibBatches_, tr("Calibration batches:"));
    setRowLabel(ptqForm_, calibBatchSize_, tr("Calibration batch size:"));
    setRowLabel(ptqForm_, threads_, tr("Threads:"));
    qatBox_->setTitle(tr("Quantization-aware training"));
    setRowLabel(qatForm_, qatEpochs_, tr("Epochs:"));
    setRowLabel(qatForm_, qatLr_, tr("Learning rate:"));
    setRowLabel(qatForm_, freezeObservers_, tr("Freeze observers after (epochs):"));
    setRowLabel(qatForm_, freezeBn_, tr("Freeze BatchNorm after (epochs):"));
}

void QuantPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) {
        retranslate();
        updateHints();
    }
    QWidget::changeEvent(event);
}

void QuantPage::updateHints()
{
    const auto c = config();
    percentile_->setEnabled(c.observer == ObserverKind::HistogramPercentile);
    averaging_->setEnabled(c.observer == ObserverKind::MovingAverageMinMax);
    const bool qatOn = c.qatEpochs > 0;
    for (QWidget* w : std::initializer_list<QWidget*>{qatLr_, freezeObservers_, freezeBn_, learnedScales_})
        w->setEnabled(qatOn);
    QString text = tr("This CPU %1 VNNI int8 instructions: activations use %2 bits (0..%3).")
                       .arg(cpuHasVnni() ? tr("has") : tr("lacks"))
                       .arg(c.activationQMax() == 127 ? 7 : 8)
                       .arg(c.activationQMax());
    if (c.weights == WeightGranularity::PerTensor)
        text += QStringLiteral("<br>") +
                tr("<b>Per-tensor weights</b> share one scale across a depthwise layer's channels; "
                   "expect a large accuracy drop.");
    hint_->setText(text);
}

QuantConfig QuantPage::config() const
{
    return readFields(this, QuantConfig{}); // every field by its widget (named after its JSON key)
}

void QuantPage::setConfig(const QuantConfig& c)
{
    {
        const QSignalBlocker block(this);
        writeFields(this, c);
    }
    updateHints();
    Q_EMIT changed();
}

// ----------------------------------------------------------------------------------------------- BenchPage

BenchPage::BenchPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("benchmarkPage"));
    // texts and tooltips: retranslate()
    runs_ = intField(this, "runs", 1, 100000, QString());
    rounds_ = intField(this, "rounds", 2, 1000, QString());
    warmup_ = intField(this, "warmup", 0, 10000, QString());
    batch_ = intField(this, "batch", 1, 4096, QString());
    threads_ = intField(this, "threads", 0, maxThreads(), QString());
    gpu_ = boolField(this, "gpu", QString(), QString());
    box_ = new QGroupBox(this);
    form_ = new QFormLayout(box_);
    form_->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    for (QWidget* w : std::initializer_list<QWidget*>{runs_, rounds_, warmup_, batch_, threads_})
        addFormRow(form_, w);
    form_->addRow(gpu_);
    // the machine, asked once
    cpuModel_ = QString::fromStdString(cpuModel());
    noGpu_ = QString::fromStdString(gpuUnavailableReason());
    machine_ = note(QString(), this);
    machine_->setObjectName(QStringLiteral("machineInfo"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(box_);
    layout->addWidget(machine_);
    layout->addStretch(1);
    retranslate();
    setConfig(BenchConfig{});
    forwardChanges(this, {runs_, rounds_, warmup_, batch_, threads_, gpu_});
}

void BenchPage::retranslate()
{
    setFieldToolTip(runs_, tr("Timed runs per model, split evenly across the rounds"));
    setFieldToolTip(rounds_,
                    tr("Rounds: every model is measured once per round, interleaved, each time as a fresh instance; "
                       "the median of the round medians is reported with its 95% interval"));
    setFieldToolTip(warmup_, tr("Untimed runs before timing (caches, allocator, oneDNN primitives)"));
    setFieldToolTip(batch_, tr("Images per timed forward pass"));
    setFieldToolTip(threads_, tr("Intra-op threads while timing (0: all cores)"));
    threads_->setSpecialValueText(tr("all cores"));
    gpu_->setText(tr("Also time FP32 on the GPU (CUDA) where available"));
    setFieldToolTip(gpu_, tr("Needs a CUDA build of LibTorch"));
    box_->setTitle(tr("Latency measurement"));
    setRowLabel(form_, runs_, tr("Timed runs:"));
    setRowLabel(form_, rounds_, tr("Rounds:"));
    setRowLabel(form_, warmup_, tr("Warm-up runs:"));
    setRowLabel(form_, batch_, tr("Batch size:"));
    setRowLabel(form_, threads_, tr("Threads:"));
    const QString gpuLine = noGpu_.isEmpty() ? tr("a CUDA device is available for FP32 GPU latency")
                                             : tr("no GPU latency here: %1").arg(noGpu_.toHtmlEscaped());
    machine_->setText(tr("<b>This machine:</b> %1, %2 hardware threads; %3.<br>Latency is only meaningful on an idle "
                         "machine: other programs (or a second run) on the same cores distort every figure.")
                          .arg(cpuModel_.toHtmlEscaped())
                          .arg(hardwareThreads())
                          .arg(gpuLine));
}

void BenchPage::changeEvent(QEvent* event)
{
    if (event->type() == QEvent::LanguageChange) retranslate();
    QWidget::changeEvent(event);
}

BenchConfig BenchPage::config() const
{
    BenchConfig c;
    c.runs = runs_->value();
    c.rounds = rounds_->value();
    c.warmup = warmup_->value();
    c.batch = batch_->value();
    c.threads = threads_->value();
    c.gpu = gpu_->isChecked();
    return c;
}

void BenchPage::setConfig(const BenchConfig& c)
{
    {
        const QSignalBlocker block(this);
        runs_->setValue(c.runs);
        rounds_->setValue(c.rounds);
        warmup_->setValue(c.warmup);
        batch_->setValue(c.batch);
        threads_->setValue(c.threads);
        gpu_->setChecked(c.gpu);
    }
    Q_EMIT changed();
}

} // namespace phinet::gui
