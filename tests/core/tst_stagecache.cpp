// The stage cache: a study run into a folder holding an earlier run reuses every stage whose inputs are
// unchanged and re-runs the rest (bundled MNIST subset, a tiny study).
#include "phinet/common/Error.h"
#include "phinet/experiment/Experiment.h"
#include "phinet/experiment/StageCache.h"
#include "phinet/export/ModelExport.h"
#include "phinet/report/RunStore.h"

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

/// The quick preset shrunk: 512 training images, 1 epoch, 5 timed runs.
ExperimentConfig tinyStudy()
{
    auto c = *findPreset("quick").study;
    c.data.limitTrain = 512;
    c.data.limitTest = 200;
    c.trainOriginal.epochs = c.trainModified.epochs = 1;
    c.trainOriginal.threads = c.trainModified.threads = c.quant.threads = c.bench.threads = 2;
    c.quant.calibrationBatches = 2;
    c.quant.qatEpochs = 1;
    c.bench.runs = 5;
    c.bench.warmup = 1;
    c.bench.gpu = false;
    return c;
}

struct Events : ExperimentObserver {
    std::vector<ExperimentEvent> all;
    void onEvent(const ExperimentEvent& e) override { all.push_back(e); }
    /// The cached stages that started, in order.
    QStringList started() const
    {
        QStringList s;
        for (const auto& e : all)
            if (e.type == ExperimentEvent::Type::StageStarted && e.stage != Stage::Build)
                s << QString::fromStdString(toString(e.stage));
        return s;
    }
};

std::string hashOf(const fs::path& p)
{
    return stagecache::fileHash(p);
}

const ModelResult& rowOf(const ExperimentResult& r, const std::string& model)
{
    for (const auto& m : r.models)
        if (m.model == model) return m;
    throw std::runtime_error("no row " + model);
}

/// Accuracy, sizes and the network's description of a row: what must stay bit-for-bit when its stage is
/// reused (latency is re-measured with the other models).
QString stableFields(const ModelResult& r)
{
    auto j = toJson(r);
    for (const char* k : {"cpu_latency_ms", "gpu_latency_ms", "int8_cpu_latency_ms", "latency_ratio"})
        j.erase(k);
    return QString::fromStdString(j.dump());
}

} // namespace

class TestStageCache : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir(const char* n) { return fs::path(tmp_.path().toStdString()) / n; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        qputenv("PHINET_DATA_HOME", QByteArray::fromStdString(dir("home").string()));
    }

    void stageNames_data()
    {
        QTest::addColumn<int>("stage");
        QTest::addColumn<QString>("name");
        QTest::newRow("build") << int(Stage::Build) << "build";
        QTest::newRow("train-original") << int(Stage::TrainOriginal) << "train-original";
        QTest::newRow("train-modified") << int(Stage::TrainModified) << "train-modified";
        QTest::newRow("ptq") << int(Stage::Ptq) << "ptq";
        QTest::newRow("qat") << int(Stage::Qat) << "qat";
        QTest::newRow("measure") << int(Stage::Measure) << "measure";
        QTest::newRow("report") << int(Stage::Report) << "report";
        QTest::newRow("sweep") << int(Stage::Sweep) << "sweep";
    }
    void stageNames()
    {
        QFETCH(int, stage);
        QFETCH(QString, name);
        QCOMPARE(QString::fromStdString(toString(Stage(stage))), name);
        QCOMPARE(int(*stageFromString(name.toStdString())), stage);
        QVERIFY(!stageFromString(name.toUpper().toStdString() + "x"));
    }

    void sweepKnobs()
    {
        QVERIFY(sweepKnobFromString("num_layers") == SweepKnob::NumLayers);
        QVERIFY(sweepKnobFromString("layers") == SweepKnob::NumLayers);
        QCOMPARE(QString::fromStdString(toString(SweepKnob::T0)), QStringLiteral("t0"));
        QVERIFY(!sweepKnobFromString("gamma"));
        // an unknown knob is an error, not silently t0 (the points were the base network at t0 = value)
        SweepConfig c = *findPreset("sweep-t0").sweep;
        c.knob = "gamma";
        QVERIFY_THROWS_EXCEPTION(ConfigError, validateSweepPoints(c));
        QVERIFY(!c.validate().empty());
        // a num_layers value past int's range is refused by name before anything converts it (the
        // fuzzer's {"knob": "num_layers", "values": [5e21, 9]}: converting it was undefined behaviour)
        SweepConfig big = *findPreset("sweep-layers").sweep;
        big.values = {5e21, 9};
        const auto p = big.validate();
        QVERIFY(std::any_of(p.begin(), p.end(), [](const FieldProblem& x) {
            return x.field == "sweep.values[0]" && x.message == "num_layers must be in [1, 64] (got 5e+21)";
        }));
        QVERIFY_THROWS_EXCEPTION(ConfigError, validateSweepPoints(big));
    }

    void changedFieldsNameTheConfigField()
    {
        const auto a = tinyStudy();
        auto b = a;
        b.quant.qatLr = 3e-4;
        const auto data = stagecache::dataInputs(a.data);
        const auto ptqA = stagecache::stageInputs(a, Stage::Ptq, data, {{"modified-fp32", "x"}});
        const auto ptqB = stagecache::stageInputs(b, Stage::Ptq, data, {{"modified-fp32", "x"}});
        QCOMPARE(ptqA, ptqB); // PTQ does not read the QAT settings
        const auto qatA = stagecache::stageInputs(a, Stage::Qat, data, {{"modified-fp32", "x"}});
        const auto qatB = stagecache::stageInputs(b, Stage::Qat, data, {{"modified-fp32", "x"}});
        QVERIFY(stagecache::jsonHash(qatA) != stagecache::jsonHash(qatB));
        QCOMPARE(stagecache::changedFields(qatA, qatB), std::vector<std::string>{"quantization.qat_lr"});
        // the progress cadence changes no result
        b = a;
        b.trainOriginal.reportEvery = 3;
        QCOMPARE(stagecache::stageInputs(a, Stage::TrainOriginal, data, {}),
                 stagecache::stageInputs(b, Stage::TrainOriginal, data, {}));
        // latency depends on the bench threads: measure reads them
        b = a;
        b.bench.threads = 1;
        QCOMPARE(stagecache::changedFields(stagecache::stageInputs(a, Stage::Measure, data, {}),
                                           stagecache::stageInputs(b, Stage::Measure, data, {})),
                 std::vector<std::string>{"bench.threads"});
    }

    // The whole loop: a first run, the same config again, a QAT change, a training change, a damaged file.
    void reusesWhatIsUnchanged()
    {
        const auto cfg = tinyStudy();
        const auto out = dir("study");
        QCOMPARE(QString::fromStdString(planStudy(cfg, out).summary()),
                 QStringLiteral("run: train-original, train-modified, ptq, qat, measure (no earlier run)"));
        QElapsedTimer t;
        t.start();
        Events ev1;
        const auto r1 = runExperiment(cfg, out, &ev1);
        const qint64 firstMs = t.elapsed();
        QCOMPARE(ev1.started(), QStringList({"train-original", "train-modified", "ptq", "qat", "measure"}));
        const auto ckptO = hashOf(out / "original-fp32.ckpt"), ckptM = hashOf(out / "modified-fp32.ckpt"),
                   ptq = hashOf(out / "modified-ptq-int8.int8"), qat = hashOf(out / "modified-qat-int8.int8");

        // unchanged: everything that finished is reused, measurements included
        QCOMPARE(QString::fromStdString(planStudy(cfg, out).summary()),
                 QStringLiteral("reused: train-original, train-modified, ptq, qat, measure"));
        Events ev2;
        const auto r2 = runExperiment(cfg, out, &ev2);
        QCOMPARE(ev2.started(), QStringList());
        QCOMPARE(r2.runId, r1.runId);
        for (size_t i = 0; i < r1.models.size(); ++i)
            QCOMPARE(QString::fromStdString(toJson(r2.models[i]).dump()),
                     QString::fromStdString(toJson(r1.models[i]).dump()));

        // a QAT setting: QAT and the measurements run, the FP32 networks and PTQ are reused bit for bit
        auto qatCfg = cfg;
        qatCfg.quant.qatLr = cfg.quant.qatLr * 3;
        QCOMPARE(QString::fromStdString(planStudy(qatCfg, out).summary()),
                 QStringLiteral(
                     "reused: train-original, train-modified, ptq; run: qat, measure (quantization.qat_lr changed)"));
        t.restart();
        Events ev3;
        const auto r3 = runExperiment(qatCfg, out, &ev3);
        const qint64 qatMs = t.elapsed();
        qInfo("first run %lld ms, QAT-only change %lld ms", firstMs, qatMs);
        QCOMPARE(ev3.started(), QStringList({"qat", "measure"}));
        QCOMPARE(hashOf(out / "original-fp32.ckpt"), ckptO);
        QCOMPARE(hashOf(out / "modified-fp32.ckpt"), ckptM);
        QCOMPARE(hashOf(out / "modified-ptq-int8.int8"), ptq);
        QCOMPARE(int(r3.models.size()), 4);
        for (const char* m : {"original-fp32", "modified-fp32", "modified-ptq-int8"})
            QCOMPARE(stableFields(rowOf(r3, m)), stableFields(rowOf(r1, m)));
        QVERIFY(rowOf(r3, "modified-qat-int8").cpuLatency.has_value()); // measured again
        // another config is another run of the history, holding the reused results and training epochs
        QVERIFY(r3.runId != r1.runId);
        RunStore store;
        const auto d3 = store.show(r3.runId);
        QCOMPARE(int(d3.results.size()), 4);
        QCOMPARE(d3.config, toJson(qatCfg));
        QCOMPARE(int(std::count_if(d3.epochs.begin(), d3.epochs.end(),
                                   [](const auto& e) { return e.model == "original-fp32"; })),
                 cfg.trainOriginal.epochs);

        // a training setting: that network and everything downstream of it
        auto trainCfg = qatCfg;
        trainCfg.trainOriginal.lr = cfg.trainOriginal.lr / 2;
        QCOMPARE(QString::fromStdString(planStudy(trainCfg, out).summary()),
                 QStringLiteral(
                     "reused: train-modified, ptq, qat; run: train-original, measure (training_original.lr changed)"));
        Events ev4;
        runExperiment(trainCfg, out, &ev4);
        QCOMPARE(ev4.started(), QStringList({"train-original", "measure"}));
        QVERIFY(hashOf(out / "original-fp32.ckpt") != ckptO);
        QCOMPARE(hashOf(out / "modified-fp32.ckpt"), ckptM);
        auto modCfg = trainCfg;
        modCfg.trainModified.seed = 7;
        QCOMPARE(
            QString::fromStdString(planStudy(modCfg, out).summary()),
            QStringLiteral(
                "reused: train-original; run: train-modified, ptq, qat, measure (training_modified.seed changed)"));

        // a model file changed behind the run's back is not reused
        {
            std::ofstream(out / "modified-ptq-int8.int8", std::ios::app) << "x";
        }
        QCOMPARE(QString::fromStdString(planStudy(trainCfg, out).summary()),
                 QStringLiteral("reused: train-original, train-modified; run: ptq, qat, measure "
                                "(modified-ptq-int8.int8 changed on disk)"));

        // a switched-off stage keeps its result for later but is out of the report
        auto off = trainCfg;
        off.stages.qat = false;
        {
            std::ofstream(out / "modified-ptq-int8.int8", std::ios::trunc) << "x";
        }
        Events ev5;
        const auto r5 = runExperiment(off, out, &ev5);
        QCOMPARE(ev5.started(), QStringList({"ptq", "measure"}));
        QCOMPARE(int(r5.models.size()), 3);
        QVERIFY(fs::exists(out / "modified-qat-int8.int8"));
        QVERIFY(hashOf(out / "modified-qat-int8.int8") != qat); // the QAT of qatCfg replaced the first one
    }

    // Given FP32 weights replace a training stage: the file (here micromind-named safetensors exported
    // from a trained checkpoint) is evaluated, not trained, and PTQ runs on it.
    void givenWeightsReplaceTraining()
    {
        auto src = tinyStudy();
        src.stages = {false, true, false, false, false};
        const auto srcOut = dir("weights-src");
        const auto r0 = runExperiment(src, srcOut);
        const auto trained = rowOf(r0, "modified-fp32");
        QVERIFY(trained.accuracyPct.has_value());
        const auto st = dir("given.safetensors");
        exportModel(srcOut / "modified-fp32.ckpt", ExportFormat::SafeTensors, st);

        auto cfg = tinyStudy();
        cfg.stages = {false, true, true, false, false};
        cfg.weights.modified = st.string();
        cfg.trainModified.epochs = 5; // would take far longer than loading: it must not train
        QVERIFY(cfg.validate().empty());
        const auto out = dir("given");
        Events ev;
        const auto r = runExperiment(cfg, out, &ev);
        QCOMPARE(ev.started(), QStringList({"train-modified", "ptq"}));
        bool loaded = false;
        for (const auto& e : ev.all) {
            QVERIFY(e.type != ExperimentEvent::Type::Epoch); // no training epoch ran
            if (e.type == ExperimentEvent::Type::StageStarted && e.stage == Stage::TrainModified)
                loaded = e.message.find("loading the given weights") != std::string::npos;
        }
        QVERIFY(loaded);
        const auto& m = rowOf(r, "modified-fp32");
        // the same weights on the same test images: the same accuracy, to the last digit
        QCOMPARE(*m.accuracyPct, *trained.accuracyPct);
        QVERIFY(!m.trainSeconds.has_value()); // not trained in this run
        QVERIFY(rowOf(r, "modified-ptq-int8").accuracyPct.has_value());
        QVERIFY(std::abs(*rowOf(r, "modified-ptq-int8").accuracyPct - *m.accuracyPct) < 5.0);

        // the file is an input by content: unchanged it is reused, rewritten it is loaded again
        QCOMPARE(QString::fromStdString(planStudy(cfg, out).summary()),
                 QStringLiteral("reused: train-modified, ptq; off: train-original, qat, measure"));
        exportModel(srcOut / "modified-fp32.ckpt", ExportFormat::SafeTensors, st); // same bytes
        QCOMPARE(QString::fromStdString(planStudy(cfg, out).summary()),
                 QStringLiteral("reused: train-modified, ptq; off: train-original, qat, measure"));
        {
            std::ofstream(st, std::ios::app) << " ";
        }
        QVERIFY(
            QString::fromStdString(planStudy(cfg, out).summary()).startsWith(QStringLiteral("run: train-modified")));

        // a file of another network is refused naming the field and what differs
        auto other = cfg;
        other.model.alpha = cfg.model.alpha * 2;
        other.weights.modified = (srcOut / "modified-fp32.ckpt").string();
        try {
            runExperiment(other, dir("given-other"));
            QFAIL("expected ConfigError");
        } catch (const ConfigError& e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains(QStringLiteral("weights.modified")) && what.contains(QStringLiteral("alpha")),
                     e.what());
        }
        // weights for a stage that is off
        auto off = cfg;
        off.stages.trainModified = false;
        off.stages.ptq = false;
        const auto p = off.validate();
        QVERIFY(!p.empty());
        QCOMPARE(QString::fromStdString(p.front().field), QStringLiteral("stages.train_modified"));
        // and the JSON carries them (absent when none are given)
        QCOMPARE(experimentConfigFromJson(toJson(cfg)).weights.modified, cfg.weights.modified);
        QVERIFY(!toJson(tinyStudy()).contains("weights"));
    }

    // A run cancelled in a training stage continues that stage when nothing changed, and starts it over
    // when its settings did.
    void cancelledTrainingContinuesOnlyWithTheSameInputs()
    {
        auto cfg = tinyStudy();
        cfg.trainOriginal.epochs = 2;
        const auto out = dir("cancelled");
        struct CancelAfterEpoch : Events {
            CancelToken token;
            void onEvent(const ExperimentEvent& e) override
            {
                Events::onEvent(e);
                if (e.type == ExperimentEvent::Type::Epoch) token.cancel();
            }
        } ev;
        QVERIFY(runExperiment(cfg, out, &ev, &ev.token).cancelled);
        QCOMPARE(QString::fromStdString(planStudy(cfg, out).summary()),
                 QStringLiteral("run: train-original, train-modified, ptq, qat, measure (not finished)"));
        auto other = cfg;
        other.trainOriginal.lr *= 2;
        QCOMPARE(QString::fromStdString(planStudy(other, out).summary()),
                 QStringLiteral("run: train-original, train-modified, ptq, qat, measure (training_original.lr changed; "
                                "not finished)"));
        Events ev2;
        runExperiment(other, out, &ev2);
        const int epochs = int(std::count_if(ev2.all.begin(), ev2.all.end(), [](const auto& e) {
            return e.type == ExperimentEvent::Type::Epoch && e.stage == Stage::TrainOriginal;
        }));
        QCOMPARE(epochs, 2); // started over: its first epoch was of another learning rate
    }
};

QTEST_GUILESS_MAIN(TestStageCache)
#include "tst_stagecache.moc"
