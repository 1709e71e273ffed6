// The study pipeline, sweeps, presets, reports and the run store, on the bundled MNIST subset.
#include "phinet/common/Error.h"
#include "phinet/experiment/Experiment.h"
#include "phinet/model/LayerTable.h"
#include "phinet/report/RunStore.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

/// The quick preset shrunk further: 512 training images, 1 epoch, 5 timed runs.
ExperimentConfig tinyStudy()
{
    auto c = *findPreset("quick").study;
    c.data.limitTrain = 512;
    c.data.limitTest = 200;
    c.trainOriginal.epochs = c.trainModified.epochs = 1;
    c.trainOriginal.threads = c.trainModified.threads = c.quant.threads = c.bench.threads = 2;
    c.quant.calibrationBatches = 2;
    c.bench.runs = 5;
    c.bench.warmup = 1;
    c.bench.gpu = true;
    return c;
}

struct Events : ExperimentObserver {
    std::vector<ExperimentEvent> all;
    CancelToken* cancel = nullptr;
    std::string cancelInStage;
    void onEvent(const ExperimentEvent& e) override
    {
        all.push_back(e);
        if (cancel && e.type == ExperimentEvent::Type::Batch && e.stage == cancelInStage) cancel->cancel();
    }
    int count(ExperimentEvent::Type t, const std::string& stage = {}) const
    {
        return int(std::count_if(all.begin(), all.end(), [&](const auto& e) { return e.type == t && (stage.empty() || e.stage == stage); }));
    }
};

QStringList readLines(const fs::path& p)
{
    QFile f(QString::fromStdString(p.string()));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
}

} // namespace

class TestExperiment : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir(const char* n) { return fs::path(tmp_.path().toStdString()) / n; }

private Q_SLOTS:
    void presets()
    {
        const auto all = listPresets();
        QStringList names;
        for (const auto& p : all) names << QString::fromStdString(p.name);
        for (const char* n : {"study-mnist", "study-cifar10", "quick", "sweep-layers", "sweep-alpha", "sweep-beta", "sweep-t0"})
            QVERIFY2(names.contains(QLatin1String(n)), n);
        const auto mnist = *findPreset("study-mnist").study;
        QCOMPARE(mnist.trainOriginal.lr, 0.01);
        QCOMPARE(mnist.trainModified.lr, 0.001);
        QCOMPARE(mnist.trainModified.epochs, 10);
        QCOMPARE(mnist.modifiedModel().divisor, 8);
        QCOMPARE(int(findPreset("sweep-layers").sweep->values.size()), 10);
        QCOMPARE(int(findPreset("sweep-alpha").sweep->values.size()), 15);
        QCOMPARE(findPreset("sweep-alpha").sweep->values[1], 0.25 + 9.75 / 14);
        QCOMPARE(int(findPreset("sweep-beta").sweep->values.size()), 15);
        QCOMPARE(int(findPreset("sweep-t0").sweep->values.size()), 7);
        QVERIFY_THROWS_EXCEPTION(ConfigError, findPreset("no-such-preset"));
        // user presets: saved, listed, and their names win
        Preset mine;
        mine.name = "my-study";
        mine.kind = "study";
        mine.study = tinyStudy();
        saveUserPreset(mine);
        QCOMPARE(findPreset("my-study").study->data.limitTrain, int64_t(512));
    }

    void configJson()
    {
        auto c = tinyStudy();
        auto back = experimentConfigFromJson(toJson(c));
        QCOMPARE(toJson(back), toJson(c));
        auto j = toJson(c);
        j["training_modified"]["lr"] = -1;
        try {
            experimentConfigFromJson(j);
            QFAIL("expected ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("training_modified.lr")), e.what());
        }
        j = toJson(c);
        j["quantization"]["observer"] = "magic";
        try {
            experimentConfigFromJson(j);
            QFAIL("expected ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("quantization.observer")), e.what());
        }
        std::ofstream(dir("broken.json")) << "{ not json";
        QVERIFY_THROWS_EXCEPTION(ConfigError, loadExperimentConfig(dir("broken.json")));
    }

    void csvQuoting()
    {
        QCOMPARE(csvField("plain"), std::string("plain"));
        QCOMPARE(csvField("a,b"), std::string("\"a,b\""));
        QCOMPARE(csvField("say \"hi\""), std::string("\"say \"\"hi\"\"\""));
        ModelResult r;
        r.model = "m";
        const auto csv = QString::fromStdString(toCsv({r}));
        const auto lines = csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QCOMPARE(lines[0].split(QLatin1Char(',')).size(), lines[1].split(QLatin1Char(',')).size());
        for (const char* col : {"model", "variant", "alpha", "beta", "t0", "layers", "params", "macs", "fp32_size_mib",
                                "int8_size_mib", "cpu_latency_ms", "accuracy_pct", "train_seconds"})
            QVERIFY2(lines[0].split(QLatin1Char(',')).contains(QLatin1String(col)), col);
    }

    // The whole pipeline, cancelled in the MODIFIED training stage, then resumed on the same folder.
    void studyCancelAndResume()
    {
        const auto cfg = tinyStudy();
        const auto out = dir("study");
        CancelToken cancel;
        Events ev;
        ev.cancel = &cancel;
        ev.cancelInStage = "train-modified";
        auto r1 = runExperiment(cfg, out, &ev, &cancel);
        QVERIFY(r1.cancelled);
        QCOMPARE(int(r1.models.size()), 1); // only ORIGINAL finished
        QCOMPARE(QString::fromStdString(r1.models[0].model), QStringLiteral("original-fp32"));
        QCOMPARE(ev.count(ExperimentEvent::Type::StageFinished, "train-original"), 1);
        QVERIFY(fs::exists(out / "results.csv"));

        Events ev2;
        auto r2 = runExperiment(cfg, out, &ev2);
        QVERIFY(!r2.cancelled);
        QCOMPARE(r2.runId, r1.runId);
        QCOMPARE(ev2.count(ExperimentEvent::Type::StageSkipped, "train-original"), 1); // cached, not retrained
        QCOMPARE(ev2.count(ExperimentEvent::Type::StageStarted, "train-original"), 0);
        QCOMPARE(ev2.count(ExperimentEvent::Type::StageFinished, "qat"), 1);
        // one epoch event per trained model over both runs (the cancel may land after MODIFIED's last batch,
        // in its evaluation: that epoch is kept and checkpointed, and the second run resumes after it)
        QCOMPARE(ev.count(ExperimentEvent::Type::Epoch) + ev2.count(ExperimentEvent::Type::Epoch), 2);
        QCOMPARE(ev2.count(ExperimentEvent::Type::QatEpoch), 1);
        QCOMPARE(ev2.count(ExperimentEvent::Type::ModelMeasured), 4);
        QCOMPARE(int(r2.models.size()), 4);
        for (const auto& m : r2.models) {
            QVERIFY2(m.accuracyPct && *m.accuracyPct >= 0.0 && *m.accuracyPct <= 100.0, m.model.c_str()); // learning: tst_trainer
            QVERIFY(m.cpuLatency && m.cpuLatency->available && m.cpuLatency->median > 0);
            if (m.precision == "fp32") {
                QVERIFY(m.fp32SizeMib && m.trainSeconds);
                QVERIFY(m.gpuLatency.has_value()); // measured, or unavailable with a reason
                if (!m.gpuLatency->available) QVERIFY(!m.gpuLatency->unavailableReason.empty());
            } else {
                QVERIFY(m.int8SizeMib && *m.int8SizeMib > 0);
                QVERIFY(!m.layerErrors.empty());
            }
        }
        QVERIFY(*r2.models[2].int8SizeMib < *r2.models[1].fp32SizeMib / 2);
        QCOMPARE(int(r2.models[3].qatEpochs.size()), 1);
        const auto lines = readLines(r2.csvPath);
        QCOMPARE(lines.size(), 5); // header + 4 models
        QVERIFY(fs::exists(r2.jsonPath));
        QCOMPARE(r2.manifest.libtorchVersion.empty(), false);
        QVERIFY(!r2.manifest.cpu.empty() && !r2.manifest.date.empty());
        // the run store holds the run, its four results and the epochs
        RunStore store;
        auto d = store.show(r2.runId);
        QCOMPARE(QString::fromStdString(d.info.status), QStringLiteral("finished"));
        QCOMPARE(int(d.results.size()), 4);
        QVERIFY(d.epochs.size() >= 2);
        QCOMPARE(d.config, toJson(cfg));
        // a folder of another config is refused
        auto other = cfg;
        other.trainModified.lr = 0.01;
        QVERIFY_THROWS_EXCEPTION(ConfigError, runExperiment(other, out));
    }

    void sweepMatchesOracleAndResumes()
    {
        auto cfg = *findPreset("sweep-quick").sweep;
        cfg.measureLatency = false;
        cfg.measureInt8 = true;
        CancelToken cancel;
        struct StopAfter : ExperimentObserver {
            CancelToken* c;
            int n = 0;
            void onEvent(const ExperimentEvent& e) override
            {
                if (e.type == ExperimentEvent::Type::ModelMeasured && ++n == 4) c->cancel(); // after 2 points
            }
        } stop;
        stop.c = &cancel;
        auto r1 = runSweep(cfg, dir("sweep"), &stop, &cancel);
        QVERIFY(r1.cancelled);
        QCOMPARE(r1.pointsDone, 2);
        auto r2 = runSweep(cfg, dir("sweep"));
        QVERIFY(!r2.cancelled);
        QCOMPARE(r2.pointsDone, 4);
        QCOMPARE(int(r2.rows.size()), 8); // 4 points x 2 variants, none duplicated
        QSet<QString> keys;
        for (const auto& row : r2.rows) {
            keys.insert(QString::fromStdString(row.model) + QString::number(row.sweepValue));
            PhiNetConfig c = cfg.base;
            c.alpha = row.sweepValue;
            c.variant = *variantFromString(row.variant);
            c.divisor = c.variant == Variant::Modified ? 8 : 1;
            QCOMPARE(row.params, summarize(c).params);
            QVERIFY(row.int8SizeMib && row.fp32SizeMib && *row.int8SizeMib < *row.fp32SizeMib);
        }
        QCOMPARE(keys.size(), 8);
        QCOMPARE(readLines(r2.csvPath).size(), 9);
    }

    void runStore()
    {
        RunStore store(dir("store.sqlite"));
        const auto id = store.createRun("study", "x", {{"a", 1}}, {{"cpu", "test"}}, "/tmp/x");
        ModelResult r;
        r.model = "modified-fp32";
        r.accuracyPct = 97.5;
        store.putResult(id, r);
        r.accuracyPct = 98.0; // replaces, not duplicates
        store.putResult(id, r);
        auto d = store.show(id);
        QCOMPARE(int(d.results.size()), 1);
        QCOMPARE(*d.results[0].accuracyPct, 98.0);
        QCOMPARE(int(store.list().size()), 1);
        store.remove(id);
        QVERIFY(store.list().empty());
        QVERIFY_THROWS_EXCEPTION(ConfigError, store.show(id));
        QVERIFY_THROWS_EXCEPTION(ConfigError, store.remove(id));
    }
};

QTEST_GUILESS_MAIN(TestExperiment)
#include "tst_experiment.moc"
