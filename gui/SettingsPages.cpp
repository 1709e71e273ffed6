#include "SettingsPages.h"

#include "Forms.h"

#include "phinet/bench/Latency.h"
#include "phinet/common/Limits.h"
#include "phinet/common/Threads.h"

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
    optimizer_ = choiceField(this, "optimizer",
                             {{QStringLiteral("adam"), tr("Adam")},
                              {QStringLiteral("adamw"), tr("AdamW")},
                              {QStringLiteral("sgd"), tr("SGD with momentum")}},
                             tr("The optimizer (the study used Adam)"));
    lr_ = realField(this, "lr", 1e-6, 10, 6, 1e-4,
                    tr("Learning rate (the study: 0.01 for ORIGINAL, 0.001 for MODIFIED)"));
    momentum_ = realField(this, "momentum", 0, 0.999, 3, 0.01, tr("SGD momentum"));
    weightDecay_ =
        realField(this, "weight_decay", 0, 1, 6, 1e-4, tr("L2 penalty (Adam, SGD) or decoupled decay (AdamW)"));
    schedule_ = choiceField(this, "schedule",
                            {{QStringLiteral("constant"), tr("Constant")},
                             {QStringLiteral("step"), tr("Step")},
                             {QStringLiteral("cosine"), tr("Cosine")}},
                            tr("Learning-rate schedule over the epochs"));
    stepEpochs_ = intField(this, "step_epochs", 1, 1000, tr("Step schedule: epochs between decays"));
    stepGamma_ = realField(this, "step_gamma", 0.001, 1, 3, 0.05, tr("Step schedule: factor applied at each decay"));
    labelSmoothing_ =
        realField(this, "label_smoothing", 0, 0.5, 3, 0.01, tr("Label smoothing of the cross-entropy loss"));
    gradClip_ =
        realField(this, "grad_clip", 0, 1000, 2, 0.5, tr("Clip the global gradient norm to this (0: off)"));
    epochs_ = intField(this, "epochs", 1, 1000, tr("Training epochs (the study: 10)"));
    batch_ = intField(this, "batch_size", 1, 65536, tr("Training batch size (the study: 128)"));
    evalBatch_ = intField(this, "eval_batch_size", 1, 65536, tr("Batch size for evaluation"));
    seed_ = intField(this, "seed", 0, 2147483647, tr("Random seed: weights, shuffling, augmentation"));
    threads_ = intField(this, "threads", 0, maxThreads(), tr("Compute threads (0: all cores)"));
    threads_->setSpecialValueText(tr("all cores"));
    reportEvery_ = intField(this, "report_every", 1, 100000, tr("Batches between live loss points"));
    channelsLast_ = boolField(this, "channels_last", tr("Channels-last tensors"),
                              tr("NHWC memory layout: oneDNN's fast path for depthwise and 1x1 convolutions"));
    evaluate_ = boolField(this, "evaluate_each_epoch", tr("Evaluate on the test split after every epoch"),
                          tr("Gives the accuracy-per-epoch curve; costs one pass over the test split per epoch"));

    auto* form = new QFormLayout(this);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(tr("Optimizer:"), optimizer_);
    form->addRow(tr("Learning rate:"), lr_);
    form->addRow(tr("Momentum:"), momentum_);
    form->addRow(tr("Weight decay:"), weightDecay_);
    form->addRow(tr("LR schedule:"), schedule_);
    form->addRow(tr("Step every (epochs):"), stepEpochs_);
    form->addRow(tr("Step factor:"), stepGamma_);
    form->addRow(tr("Label smoothing:"), labelSmoothing_);
    form->addRow(tr("Gradient clipping:"), gradClip_);
    form->addRow(tr("Epochs:"), epochs_);
    form->addRow(tr("Batch size:"), batch_);
    form->addRow(tr("Evaluation batch:"), evalBatch_);
    form->addRow(tr("Seed:"), seed_);
    form->addRow(tr("Threads:"), threads_);
    form->addRow(tr("Loss point every (batches):"), reportEvery_);
    form->addRow(channelsLast_);
    form->addRow(evaluate_);

    setConfig(TrainConfig{});
    forwardChanges(this,
                   {optimizer_, lr_, momentum_, weightDecay_, schedule_, stepEpochs_, stepGamma_, labelSmoothing_,
                    gradClip_, epochs_, batch_, evalBatch_, seed_, threads_, reportEvery_, channelsLast_, evaluate_});
    connect(this, &TrainForm::changed, this, &TrainForm::updateEnabled);
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
    TrainConfig c;
    c.optimizer = optimizerFromString(currentKey(optimizer_).toStdString()).value_or(OptimizerKind::Adam);
    c.lr = lr_->value();
    c.momentum = momentum_->value();
    c.weightDecay = weightDecay_->value();
    c.schedule = scheduleFromString(currentKey(schedule_).toStdString()).value_or(ScheduleKind::Constant);
    c.stepEpochs = stepEpochs_->value();
    c.stepGamma = stepGamma_->value();
    c.labelSmoothing = labelSmoothing_->value();
    c.gradClipNorm = gradClip_->value();
    c.epochs = epochs_->value();
    c.batchSize = batch_->value();
    c.evalBatchSize = evalBatch_->value();
    c.seed = std::uint64_t(seed_->value());
    c.threads = threads_->value();
    c.reportEvery = reportEvery_->value();
    c.channelsLast = channelsLast_->isChecked();
    c.evaluateEachEpoch = evaluate_->isChecked();
    return c;
}

void TrainForm::setConfig(const TrainConfig& c)
{
    const QSignalBlocker block(this);
    selectKey(optimizer_, QString::fromStdString(toString(c.optimizer)));
    lr_->setValue(c.lr);
    momentum_->setValue(c.momentum);
    weightDecay_->setValue(c.weightDecay);
    selectKey(schedule_, QString::fromStdString(toString(c.schedule)));
    stepEpochs_->setValue(c.stepEpochs);
    stepGamma_->setValue(c.stepGamma);
    labelSmoothing_->setValue(c.labelSmoothing);
    gradClip_->setValue(c.gradClipNorm);
    epochs_->setValue(c.epochs);
    batch_->setValue(c.batchSize);
    evalBatch_->setValue(c.evalBatchSize);
    seed_->setValue(int(std::min<std::uint64_t>(c.seed, 2147483647u)));
    threads_->setValue(c.threads);
    reportEvery_->setValue(c.reportEvery);
    channelsLast_->setChecked(c.channelsLast);
    evaluate_->setChecked(c.evaluateEachEpoch);
    updateEnabled();
}

// ------------------------------------------------------------------------------------------- TrainingPage

TrainingPage::TrainingPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("trainingPage"));
    original_ = new TrainForm(QStringLiteral("trainOriginal"), this);
    modified_ = new TrainForm(QStringLiteral("trainModified"), this);
    auto* origBox = new QGroupBox(tr("ORIGINAL network (FP32)"), this);
    (new QVBoxLayout(origBox))->addWidget(original_);
    auto* modBox = new QGroupBox(tr("MODIFIED network (FP32, then PTQ and QAT)"), this);
    (new QVBoxLayout(modBox))->addWidget(modified_);

    trainOriginal_ =
        boolField(this, "stage_train_original", tr("Train ORIGINAL"), tr("Train and measure the ORIGINAL network"));
    trainModified_ =
        boolField(this, "stage_train_modified", tr("Train MODIFIED"), tr("Train and measure the MODIFIED network"));
    ptq_ = boolField(this, "stage_ptq", tr("Post-training quantization"),
                     tr("Calibrate and convert the trained MODIFIED network to INT8"));
    qat_ = boolField(this, "stage_qat", tr("Quantization-aware training"),
                     tr("Fine-tune MODIFIED with fake quantization, then convert"));
    measure_ = boolField(this, "stage_measure", tr("Measure size and latency"),
                         tr("Benchmark every model (see the Benchmark area)"));
    auto* stagesBox = new QGroupBox(tr("Stages"), this);
    auto* stages = new QHBoxLayout(stagesBox);
    for (auto* w : {trainOriginal_, trainModified_, ptq_, qat_, measure_})
        stages->addWidget(w);
    stages->addStretch(1);

    auto* forms = new QHBoxLayout;
    forms->addWidget(origBox);
    forms->addWidget(modBox);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(note(tr("The study trains both networks with Adam, batch 128, for 10 epochs; ORIGINAL with "
                              "learning rate 0.01 and MODIFIED with 0.001. Finished stages are cached in the output "
                              "folder: running again after a change retrains only what the change affects."),
                           this));
    layout->addWidget(stagesBox);
    layout->addLayout(forms);
    layout->addStretch(1);

    connect(original_, &TrainForm::changed, this, &TrainingPage::changed);
    connect(modified_, &TrainForm::changed, this, &TrainingPage::changed);
    forwardChanges(this, {trainOriginal_, trainModified_, ptq_, qat_, measure_});
    setConfig(TrainConfig{}, TrainConfig{}, StageSwitches{});
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
    // The core's one list of observers, each with its label here (a new one is a compiler warning
    // in the switch until it has a label).
    QList<QPair<QString, QString>> observers;
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
        observers.append({QString::fromStdString(toString(k)), label});
    }
    observer_ = choiceField(this, "observer", observers,
                            tr("How activation ranges are estimated from the calibration batches"));
    percentile_ =
        realField(this, "percentile", 90, 100, 3, 0.01, tr("Percentile observer: the range covers [100-p, p]"));
    weights_ = choiceField(
        this, "weights",
        {{QStringLiteral("per-channel"), tr("Per channel")}, {QStringLiteral("per-tensor"), tr("Per tensor")}},
        tr("Weight scales per output channel (recommended: per-tensor collapses depthwise layers)"));
    engine_ = choiceField(this, "engine",
                          {{QStringLiteral("onednn-fused"), tr("oneDNN, fused (x86-64)")},
                           {QStringLiteral("onednn"), tr("oneDNN (x86-64)")},
                           {QStringLiteral("qnnpack"), tr("QNNPACK (ARM)")}},
                          tr("LibTorch's quantized engine for the converted model"));
    reduceRange_ = choiceField(this, "reduce_range",
                               {{QStringLiteral("auto"), tr("Automatic")},
                                {QStringLiteral("on"), tr("On (7-bit activations)")},
                                {QStringLiteral("off"), tr("Off (8-bit activations)")}},
                               tr("7-bit activations avoid int16 saturation in oneDNN on CPUs without VNNI"));
    calibBatches_ =
        intField(this, "calib_batches", 1, 100000, tr("Training batches used to calibrate the observers"));
    calibBatchSize_ = intField(this, "calib_batch_size", 1, 65536, tr("Images per calibration batch"));
    qatEpochs_ = intField(this, "qat_epochs", 0, 1000, tr("Epochs of quantization-aware fine-tuning (0: QAT off)"));
    qatLr_ = realField(this, "qat_lr", 1e-7, 1, 7, 1e-5, tr("Learning rate of the QAT fine-tuning"));
    freezeObservers_ = intField(this, "freeze_observers_after", 0, 1000,
                                tr("QAT epochs after which activation ranges stop moving (0: from the start)"));
    freezeBn_ = intField(this, "freeze_bn_after", 0, 1000,
                         tr("QAT epochs after which BatchNorm uses its running statistics (0: from the start)"));
    learnedScales_ = boolField(this, "learned_scales", tr("Learn activation scales (LSQ)"),
                               tr("Activation step sizes are trained with the weights"));
    threads_ = intField(this, "threads", 0, maxThreads(), tr("Compute threads (0: all cores)"));
    threads_->setSpecialValueText(tr("all cores"));
    hint_ = note(QString(), this);
    hint_->setObjectName(QStringLiteral("quantHint"));

    auto* ptqBox = new QGroupBox(tr("Post-training quantization"), this);
    auto* ptq = new QFormLayout(ptqBox);
    ptq->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    ptq->addRow(tr("Observer:"), observer_);
    ptq->addRow(tr("Percentile:"), percentile_);
    ptq->addRow(tr("Weights:"), weights_);
    ptq->addRow(tr("Engine:"), engine_);
    ptq->addRow(tr("Reduced range:"), reduceRange_);
    ptq->addRow(tr("Calibration batches:"), calibBatches_);
    ptq->addRow(tr("Calibration batch size:"), calibBatchSize_);
    ptq->addRow(tr("Threads:"), threads_);
    auto* qatBox = new QGroupBox(tr("Quantization-aware training"), this);
    auto* qat = new QFormLayout(qatBox);
    qat->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    qat->addRow(tr("Epochs:"), qatEpochs_);
    qat->addRow(tr("Learning rate:"), qatLr_);
    qat->addRow(tr("Freeze observers after (epochs):"), freezeObservers_);
    qat->addRow(tr("Freeze BatchNorm after (epochs):"), freezeBn_);
    qat->addRow(learnedScales_);

    auto* boxes = new QHBoxLayout;
    boxes->addWidget(ptqBox);
    boxes->addWidget(qatBox);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(boxes);
    layout->addWidget(hint_);
    layout->addStretch(1);

    setConfig(QuantConfig{});
    forwardChanges(this, {observer_, percentile_, weights_, engine_, reduceRange_, calibBatches_, calibBatchSize_,
                          qatEpochs_, qatLr_, freezeObservers_, freezeBn_, learnedScales_, threads_});
    connect(this, &QuantPage::changed, this, &QuantPage::updateHints);
}

void QuantPage::updateHints()
{
    const auto c = config();
    percentile_->setEnabled(c.observer == ObserverKind::HistogramPercentile);
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
    QuantConfig c;
    c.observer = observerFromString(currentKey(observer_).toStdString()).value_or(ObserverKind::HistogramMse);
    c.percentile = percentile_->value();
    c.weights = granularityFromString(currentKey(weights_).toStdString()).value_or(WeightGranularity::PerChannel);
    c.engine = engineFromString(currentKey(engine_).toStdString()).value_or(defaultEngine());
    c.reduceRange = reduceRangeFromString(currentKey(reduceRange_).toStdString()).value_or(ReduceRange::Auto);
    c.calibrationBatches = calibBatches_->value();
    c.calibrationBatchSize = calibBatchSize_->value();
    c.qatEpochs = qatEpochs_->value();
    c.qatLr = qatLr_->value();
    c.freezeObserversAfter = freezeObservers_->value();
    c.freezeBnAfter = freezeBn_->value();
    c.learnedScales = learnedScales_->isChecked();
    c.threads = threads_->value();
    return c;
}

void QuantPage::setConfig(const QuantConfig& c)
{
    {
        const QSignalBlocker block(this);
        selectKey(observer_, QString::fromStdString(toString(c.observer)));
        percentile_->setValue(c.percentile);
        selectKey(weights_, QString::fromStdString(toString(c.weights)));
        selectKey(engine_, QString::fromStdString(toString(c.engine)));
        selectKey(reduceRange_, QString::fromStdString(toString(c.reduceRange)));
        calibBatches_->setValue(c.calibrationBatches);
        calibBatchSize_->setValue(c.calibrationBatchSize);
        qatEpochs_->setValue(c.qatEpochs);
        qatLr_->setValue(c.qatLr);
        freezeObservers_->setValue(c.freezeObserversAfter);
        freezeBn_->setValue(c.freezeBnAfter);
        learnedScales_->setChecked(c.learnedScales);
        threads_->setValue(c.threads);
    }
    updateHints();
    Q_EMIT changed();
}

// ----------------------------------------------------------------------------------------------- BenchPage

BenchPage::BenchPage(QWidget* parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("benchmarkPage"));
    runs_ = intField(this, "runs", 1, 100000, tr("Timed runs per model, split evenly across the rounds"));
    rounds_ = intField(this, "rounds", 2, 1000,
                       tr("Rounds: every model is measured once per round, interleaved, each time as a fresh instance; "
                          "the median of the round medians is reported with its 95% interval"));
    warmup_ =
        intField(this, "warmup", 0, 10000, tr("Untimed runs before timing (caches, allocator, oneDNN primitives)"));
    batch_ = intField(this, "batch", 1, 4096, tr("Images per timed forward pass"));
    threads_ = intField(this, "threads", 0, maxThreads(), tr("Intra-op threads while timing (0: all cores)"));
    threads_->setSpecialValueText(tr("all cores"));
    gpu_ = boolField(this, "gpu", tr("Also time FP32 on the GPU (CUDA) where available"),
                     tr("Needs a CUDA build of LibTorch"));
    auto* box = new QGroupBox(tr("Latency measurement"), this);
    auto* form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    form->addRow(tr("Timed runs:"), runs_);
    form->addRow(tr("Rounds:"), rounds_);
    form->addRow(tr("Warm-up runs:"), warmup_);
    form->addRow(tr("Batch size:"), batch_);
    form->addRow(tr("Threads:"), threads_);
    form->addRow(gpu_);
    const std::string noGpu = gpuUnavailableReason();
    const QString gpuLine = noGpu.empty()
                                ? tr("a CUDA device is available for FP32 GPU latency")
                                : tr("no GPU latency here: %1").arg(QString::fromStdString(noGpu).toHtmlEscaped());
    auto* machine =
        note(tr("<b>This machine:</b> %1, %2 hardware threads; %3.<br>Latency is only meaningful on an idle "
                "machine: other programs (or a second run) on the same cores distort every figure.")
                 .arg(QString::fromStdString(cpuModel()).toHtmlEscaped())
                 .arg(hardwareThreads())
                 .arg(gpuLine),
             this);
    machine->setObjectName(QStringLiteral("machineInfo"));
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(box);
    layout->addWidget(machine);
    layout->addStretch(1);
    setConfig(BenchConfig{});
    forwardChanges(this, {runs_, rounds_, warmup_, batch_, threads_, gpu_});
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
