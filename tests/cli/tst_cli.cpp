// The `phinet` command line as a user runs it: JSON output, table output, exit codes, messages.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <csignal>

#include "../SpecOracle.h"

namespace {

struct Run {
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run runCli(const QStringList& args, int timeoutMs = 120000)
{
    QProcess p;
    p.start(QStringLiteral(PHINET_CLI_PATH), args);
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QJsonObject lastJsonLine(const QByteArray& out)
{
    const auto lines = out.trimmed().split('\n');
    return QJsonDocument::fromJson(lines.last()).object();
}

} // namespace

const QStringList kSmallModel{"--alpha", "0.5",  "--layers",     "4",  "--t0",      "4", "--bn-momentum", "0.1",
                              "--lr",    "3e-3", "--batch-size", "64", "--threads", "2"};

class TestCli : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    QString path(const QString& name) const { return tmp_.filePath(name); }

private Q_SLOTS:
    void versionAndHelp()
    {
        auto r = runCli({QStringLiteral("--version")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.startsWith("phinet "));
        QVERIFY(r.out.endsWith('\n'));
        r = runCli({QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("model"));
        r = runCli({QStringLiteral("model"), QStringLiteral("--help")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("--alpha"));
        QVERIFY(r.out.contains("--variant"));
    }

    void modelJson_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<qint64>("params");
        QTest::addColumn<qint64>("macs");
        const QStringList big{"--input", "3,224,224", "--alpha", "3", "--beta", "0.75", "--t0", "6", "--layers", "7"};
        QTest::newRow("A original") << (big + QStringList{"--variant", "original"}) << 4394545LL << 1520210158LL;
        QTest::newRow("B modified") << (big + QStringList{"--variant", "modified", "--divisor", "8"}) << 4406997LL
                                    << 1521181866LL;
        QTest::newRow("early") << (big + QStringList{"--variant", "modified-early"}) << 4402741LL << 1521177610LL;
        QTest::newRow("small") << QStringList{"--input", "3,224,224", "--alpha", "2.3",       "--beta",
                                              "0.75",    "--t0",      "5",       "--variant", "original"}
                               << 2014585LL << 763280698LL;
        QTest::newRow("E mnist") << QStringList{"--input", "1,28,28", "--alpha", "3",         "--beta",
                                                "0.75",    "--t0",    "6",       "--variant", "modified"}
                                 << 4406691LL << 28308414LL;
    }
    void modelJson()
    {
        QFETCH(QStringList, args);
        QFETCH(qint64, params);
        QFETCH(qint64, macs);
        auto r = runCli(QStringList{QStringLiteral("model"), QStringLiteral("--json")} + args);
        QCOMPARE(r.exitCode, 0);
        const auto o = lastJsonLine(r.out);
        QCOMPARE(o.value(QStringLiteral("params")).toInteger(), params);
        QCOMPARE(o.value(QStringLiteral("macs")).toInteger(), macs);
        const auto layers = o.value(QStringLiteral("layers")).toArray();
        QCOMPARE(layers.size(), 10);
        qint64 sum = 0;
        for (const auto& l : layers)
            sum += l.toObject().value(QStringLiteral("params")).toInteger();
        QCOMPARE(sum, params);
        for (const char* key : {"flash_bytes_fp32", "flash_bytes_int8", "peak_ram_bytes_fp32", "peak_ram_bytes_int8"})
            QVERIFY2(o.value(QLatin1String(key)).toInteger() > 0, key);
        QCOMPARE(o.value(QStringLiteral("peak_ram_bytes_fp32")).toInteger(),
                 4 * o.value(QStringLiteral("peak_ram_bytes_int8")).toInteger());
    }

    void modelTable()
    {
        auto r = runCli({QStringLiteral("model"), QStringLiteral("--input"), QStringLiteral("1,28,28"),
                         QStringLiteral("--variant"), QStringLiteral("original")});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("block7"));
        QVERIFY(r.out.contains("4,394,239"));
        QVERIFY(r.out.contains("28,276,819"));
    }

    // On the bundled MNIST subset (no --data-dir): train writes a checkpoint, eval reads it back.
    void trainAndEval()
    {
        const QString ckpt = path(QStringLiteral("small.ckpt"));
        auto r = runCli(QStringList{"train", "--epochs", "1", "--limit-train", "512", "--limit-test", "200", "--out",
                                    ckpt, "--json"} +
                        kSmallModel);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto o = lastJsonLine(r.out);
        for (const char* key :
             {"test_accuracy", "test_loss", "train_seconds", "images_per_second", "epochs", "checkpoint"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        QCOMPARE(o.value(QStringLiteral("epochs")).toArray().size(), 1);
        QCOMPARE(o.value(QStringLiteral("checkpoint")).toString(), ckpt);
        QVERIFY(QFile::exists(ckpt));
        const double acc = o.value(QStringLiteral("test_accuracy")).toDouble();
        QVERIFY(acc >= 0.0 && acc <= 100.0); // learning itself is asserted in tst_trainer
        QVERIFY(o.value(QStringLiteral("images_per_second")).toDouble() > 0);
        QCOMPARE(o.value(QStringLiteral("test_images")).toInteger(), 200);

        auto e = runCli({QStringLiteral("eval"), QStringLiteral("--ckpt"), ckpt, QStringLiteral("--limit-test"),
                         QStringLiteral("200"), QStringLiteral("--json")});
        QVERIFY2(e.exitCode == 0, e.err.constData());
        QCOMPARE(lastJsonLine(e.out).value(QStringLiteral("test_accuracy")).toDouble(), acc);
    }

    // Models in and out: the checkpoint of trainAndEval exported as micromind-named safetensors, that
    // file evaluated, quantized and benchmarked like a checkpoint, and both precisions exported to ONNX.
    void exportAndOpen()
    {
        const QString ckpt = path(QStringLiteral("small.ckpt"));
        QVERIFY2(QFile::exists(ckpt), "trainAndEval writes the checkpoint");
        const QString st = path(QStringLiteral("small.safetensors"));
        auto r = runCli({"export", "--model", ckpt, "--format", "safetensors", "--out", st, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QCOMPARE(lastJsonLine(r.out).value(QStringLiteral("format")).toString(), QStringLiteral("safetensors"));
        auto e = runCli({"eval", "--ckpt", st, "--limit-test", "200", "--json"});
        QVERIFY2(e.exitCode == 0, e.err.constData());
        auto c = runCli({"eval", "--ckpt", ckpt, "--limit-test", "200", "--json"});
        QCOMPARE(lastJsonLine(e.out).value(QStringLiteral("test_accuracy")).toDouble(),
                 lastJsonLine(c.out).value(QStringLiteral("test_accuracy")).toDouble());
        const QString int8 = path(QStringLiteral("from-safetensors.int8"));
        auto q = runCli({"quantize", "--ckpt", st, "--method", "ptq", "--calib-batches", "2", "--limit-test", "200",
                         "--runs", "5", "--warmup", "1", "--observer", "minmax", "--out", int8, "--json"});
        QVERIFY2(q.exitCode == 0, q.err.constData());
        auto b = runCli({"bench", "--model", st, "--model", int8, "--runs", "6", "--warmup", "1", "--rounds", "3",
                         "--threads", "1", "--json"});
        QVERIFY2(b.exitCode == 0, b.err.constData());
        {
            // Each round one worker process times both files: three rounds of two runs per model,
            // every model's round medians and pooled samples kept apart, a ratio to the first file.
            const auto j = lastJsonLine(b.out);
            const auto protocol = j.value(QStringLiteral("protocol")).toObject();
            QCOMPARE(protocol.value(QStringLiteral("isolation")).toString(), QStringLiteral("fresh process per round"));
            QCOMPARE(protocol.value(QStringLiteral("rounds")).toInt(), 3);
            QCOMPARE(protocol.value(QStringLiteral("runs_per_round")).toInt(), 2);
            const auto models = j.value(QStringLiteral("models")).toArray();
            QCOMPARE(models.size(), 2);
            for (const auto& m : models) {
                QCOMPARE(m.toObject().value(QStringLiteral("round_medians_ms")).toArray().size(), 3);
                const auto lat = m.toObject().value(QStringLiteral("latency_ms")).toObject();
                QCOMPARE(lat.value(QStringLiteral("threads")).toInt(), 1);
                QVERIFY(lat.value(QStringLiteral("median")).toDouble() > 0);
            }
            QCOMPARE(models[1].toObject().value(QStringLiteral("kind")).toString(), QStringLiteral("int8"));
            const auto ratios = j.value(QStringLiteral("ratios")).toArray();
            QCOMPARE(ratios.size(), 1);
            QVERIFY(ratios[0].toObject().value(QStringLiteral("ratio")).toDouble() > 0);
        }
        for (const auto& [model, format] :
             {std::pair{int8, "onnx-int8"}, std::pair{st, "onnx"}, std::pair{ckpt, "onnx"}}) {
            const QString out = path(QStringLiteral("x-%1.onnx").arg(QLatin1String(format)));
            auto x = runCli({"export", "--model", model, "--format", QLatin1String(format), "--out", out, "--json"});
            QVERIFY2(x.exitCode == 0, x.err.constData());
            QVERIFY(lastJsonLine(x.out).value(QStringLiteral("nodes")).toInt() > 0);
            QVERIFY(QFileInfo(out).size() > 0);
        }
        // The wrong precision is the user's mistake: exit 1 naming what to do.
        auto w = runCli({"export", "--model", ckpt, "--format", "onnx-int8", "--out", path(QStringLiteral("w.onnx"))});
        QCOMPARE(w.exitCode, 1);
        QVERIFY2(w.err.contains("quantize it first"), w.err.constData());
    }

    // The study on given weights: the micromind-named file of exportAndOpen replaces MODIFIED's
    // training; the study takes the file's network (alpha 0.5, 4 blocks: not the config's) and PTQ runs.
    void studyOnGivenWeights()
    {
        const QString st = path(QStringLiteral("small.safetensors"));
        QVERIFY2(QFile::exists(st), "exportAndOpen writes it");
        const QString cfg = path(QStringLiteral("given.json"));
        {
            QFile f(cfg);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"kind": "study", "name": "given", "data": {"limit_train": 512, "limit_test": 200},
                       "quantization": {"calib_batches": 2, "threads": 2},
                       "stages": {"train_original": false, "qat": false, "measure": false}})");
        }
        auto r = runCli(
            {"study", "--config", cfg, "--weights-modified", st, "--out", path(QStringLiteral("given")), "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("loading the given weights"), r.err.constData());
        const auto rows = lastJsonLine(r.out).value(QStringLiteral("results")).toArray();
        QCOMPARE(rows.size(), 2);
        const auto fp32 = rows[0].toObject();
        QCOMPARE(fp32.value(QStringLiteral("model")).toString(), QStringLiteral("modified-fp32"));
        QCOMPARE(fp32.value(QStringLiteral("alpha")).toDouble(), 0.5);
        auto e = runCli({"eval", "--ckpt", st, "--limit-test", "200", "--json"});
        QCOMPARE(fp32.value(QStringLiteral("accuracy_pct")).toDouble(),
                 lastJsonLine(e.out).value(QStringLiteral("test_accuracy")).toDouble());
        QCOMPARE(rows[1].toObject().value(QStringLiteral("model")).toString(), QStringLiteral("modified-ptq-int8"));
        // an INT8 file or a missing one is refused naming the option
        auto bad = runCli({"study", "--config", cfg, "--weights-modified", path(QStringLiteral("none.ckpt"))});
        QCOMPARE(bad.exitCode, 2);
        QVERIFY2(bad.err.contains("--weights-modified"), bad.err.constData());
    }

    // Ctrl-C after the first epoch: exit 130 with the checkpoint kept; --resume finishes the run.
    void interruptAndResume()
    {
        const QString ckpt = path(QStringLiteral("interrupted.ckpt"));
        QProcess p;
        p.start(QStringLiteral(PHINET_CLI_PATH), QStringList{"train", "--epochs", "3", "--limit-train", "1024",
                                                             "--limit-test", "100", "--out", ckpt, "--json"} +
                                                     kSmallModel);
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), err.contains("epoch 1/3: train loss")), 60000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(60000));
        err += p.readAllStandardError();
        QCOMPARE(p.exitCode(), 130);
        QVERIFY2(err.contains("cancelled") && err.contains("--resume"), err.constData());
        QVERIFY(QFile::exists(ckpt));
        const auto partial = lastJsonLine(p.readAllStandardOutput());
        QVERIFY(partial.value(QStringLiteral("cancelled")).toBool());
        const int done = partial.value(QStringLiteral("epochs_done")).toInt();
        QVERIFY(done >= 1 && done < 3);

        auto r = runCli(QStringList{"train", "--epochs", "3", "--limit-train", "1024", "--limit-test", "100", "--out",
                                    ckpt, "--resume", ckpt, "--json"} +
                        kSmallModel);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto o = lastJsonLine(r.out);
        QCOMPARE(o.value(QStringLiteral("epochs")).toArray().size(), 3);
        QCOMPARE(o.value(QStringLiteral("epochs_done")).toInt(), 3);
        QVERIFY(!o.value(QStringLiteral("cancelled")).toBool());
    }

    void badDataAndCheckpoints()
    {
        // a data folder whose image file is not IDX: exit 1, the message names the file
        QDir().mkpath(path(QStringLiteral("baddata")));
        for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                              "t10k-labels-idx1-ubyte"}) {
            QFile file(path(QStringLiteral("baddata/") + QLatin1String(f)));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("garbage, not an IDX file");
        }
        auto r = runCli(QStringList{"train", "--data-dir", path(QStringLiteral("baddata")), "--epochs", "1"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("train-images-idx3-ubyte") && r.err.contains("not an IDX file"), r.err.constData());
        // a checkpoint that is not one
        QFile fake(path(QStringLiteral("fake.ckpt")));
        QVERIFY(fake.open(QIODevice::WriteOnly));
        fake.write("not a checkpoint");
        fake.close();
        r = runCli({QStringLiteral("eval"), QStringLiteral("--ckpt"), fake.fileName()});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("fake.ckpt"), r.err.constData());
    }

    // The quick preset end to end, then the run history commands on its run.
    void studyQuickAndRuns()
    {
        const QString out = path(QStringLiteral("quick-study"));
        auto r =
            runCli({"study", "--preset", "quick", "--epochs", "1", "--out", out, "--threads", "2", "--json"}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto o = lastJsonLine(r.out);
        const auto rows = o.value(QStringLiteral("results")).toArray();
        QCOMPARE(rows.size(), 4);
        QStringList models;
        for (const auto& row : rows)
            models << row.toObject().value(QStringLiteral("model")).toString();
        QCOMPARE(models, (QStringList{"original-fp32", "modified-fp32", "modified-ptq-int8", "modified-qat-int8"}));
        QFile csv(out + QStringLiteral("/results.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts).size(), 5);
        QVERIFY(r.out.contains("modified-qat-int8")); // the table on stdout
        const int id = o.value(QStringLiteral("run_id")).toInt();

        auto list = runCli({"runs", "list", "--json"});
        QCOMPARE(list.exitCode, 0);
        bool found = false;
        for (const auto& run : QJsonDocument::fromJson(list.out.trimmed()).array())
            found = found || run.toObject().value(QStringLiteral("id")).toInt() == id;
        QVERIFY(found);
        auto show = runCli({"runs", "show", QString::number(id), "--json"});
        QCOMPARE(show.exitCode, 0);
        QCOMPARE(lastJsonLine(show.out).value(QStringLiteral("results")).toArray().size(), 4);
        const QString exported = path(QStringLiteral("export.csv"));
        QCOMPARE(runCli({"runs", "export", QString::number(id), "--out", exported}).exitCode, 0);
        QVERIFY(QFile::exists(exported));
        // the whole run as a folder: the CSV the study wrote, its config (--epochs 1), one line per epoch
        const QString folder = path(QStringLiteral("quick-export"));
        auto exp = runCli({"runs", "export", QString::number(id), "--folder", folder});
        QVERIFY2(exp.exitCode == 0, exp.err.constData());
        QCOMPARE(QDir(folder).entryList(QDir::Files, QDir::Name),
                 (QStringList{"config.json", "epochs.csv", "results.csv", "results.json"}));
        QFile studyCsv(out + QStringLiteral("/results.csv")), folderCsv(folder + QStringLiteral("/results.csv"));
        QVERIFY(studyCsv.open(QIODevice::ReadOnly) && folderCsv.open(QIODevice::ReadOnly));
        QCOMPARE(folderCsv.readAll(), studyCsv.readAll());
        QFile config(folder + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        const auto cfg = QJsonDocument::fromJson(config.readAll()).object();
        QCOMPARE(cfg.value(QStringLiteral("name")).toString(), QStringLiteral("quick"));
        QCOMPARE(cfg.value(QStringLiteral("training_modified")).toObject().value(QStringLiteral("epochs")).toInt(), 1);
        QFile epochs(folder + QStringLiteral("/epochs.csv"));
        QVERIFY(epochs.open(QIODevice::ReadOnly));
        const auto epochLines = QString::fromUtf8(epochs.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(epochLines.size(), 3); // the header, then epoch 1 of ORIGINAL and of MODIFIED (in the store's order)
        QVERIFY(epochLines[0].startsWith(QStringLiteral("model,epoch,")));
        QStringList epochRows{epochLines[1].section(QLatin1Char(','), 0, 1),
                              epochLines[2].section(QLatin1Char(','), 0, 1)};
        epochRows.sort();
        QCOMPARE(epochRows, (QStringList{"modified-fp32,1", "original-fp32,1"}));
        // neither --out nor --folder: a usage error naming both
        auto neither = runCli({"runs", "export", QString::number(id)});
        QCOMPARE(neither.exitCode, 2);
        QVERIFY2(neither.err.contains("--out") && neither.err.contains("--folder"), neither.err.constData());
        QCOMPARE(runCli({"runs", "delete", QString::number(id)}).exitCode, 0);
        auto gone = runCli({"runs", "show", QString::number(id)});
        QCOMPARE(gone.exitCode, 2);
        QVERIFY(gone.err.contains("does not exist"));
        // the same folder again without --resume is refused, naming --out
        auto again = runCli({"study", "--preset", "quick", "--out", out});
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains("--out") && again.err.contains("--resume"), again.err.constData());
    }

    // --resume into a folder of an earlier run prints which stages it reuses and which it runs, and why.
    void studyResumePrintsThePlan()
    {
        QFile preset(QStringLiteral(PHINET_SOURCE_DIR "/resources/presets/quick.json"));
        QVERIFY(preset.open(QIODevice::ReadOnly));
        auto cfg = QJsonDocument::fromJson(preset.readAll()).object();
        auto data = cfg.value(QStringLiteral("data")).toObject();
        data[QStringLiteral("limit_train")] = 512;
        data[QStringLiteral("limit_test")] = 200;
        cfg[QStringLiteral("data")] = data;
        for (const char* t : {"training_original", "training_modified"}) {
            auto tc = cfg.value(QLatin1String(t)).toObject();
            tc[QStringLiteral("epochs")] = 1;
            cfg[QLatin1String(t)] = tc;
        }
        auto write = [&](const QString& name, const QJsonObject& o) {
            QFile f(path(name));
            if (!f.open(QIODevice::WriteOnly)) return QString();
            f.write(QJsonDocument(o).toJson());
            return f.fileName();
        };
        const QString first = write(QStringLiteral("plan-first.json"), cfg);
        auto quant = cfg.value(QStringLiteral("quantization")).toObject();
        quant[QStringLiteral("qat_lr")] = quant.value(QStringLiteral("qat_lr")).toDouble() * 3;
        cfg[QStringLiteral("quantization")] = quant;
        const QString second = write(QStringLiteral("plan-qat.json"), cfg);
        const QString out = path(QStringLiteral("plan-study"));
        auto r = runCli({"study", "--config", first, "--out", out, "--threads", "2"}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(!r.err.contains("stages:"), r.err.constData()); // a new folder: nothing to say
        r = runCli({"study", "--config", second, "--out", out, "--threads", "2", "--resume"}, 600000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("stages: reused: train-original, train-modified, ptq; run: qat, measure "
                                "(quantization.qat_lr changed)"),
                 r.err.constData());
        QVERIFY2(r.err.contains("[qat] started") && !r.err.contains("[train-original] started") &&
                     !r.err.contains("[train-modified] started") && !r.err.contains("[ptq] started"),
                 r.err.constData());
        r = runCli({"study", "--config", second, "--out", out, "--threads", "2", "--resume"}, 600000);
        QVERIFY2(r.err.contains("stages: reused: train-original, train-modified, ptq, qat, measure\n"),
                 r.err.constData());
    }

    // The study's four sweep grids: every point's params, both variants, against the spec's formulas.
    void studySweepPresetsMatchSpec_data()
    {
        QTest::addColumn<QString>("preset");
        QTest::addColumn<QString>("knob");
        QTest::addColumn<int>("points");
        QTest::newRow("layers") << "sweep-layers"
                                << "num_layers" << 10;
        QTest::newRow("alpha") << "sweep-alpha"
                               << "alpha" << 15;
        QTest::newRow("beta") << "sweep-beta"
                              << "beta" << 15;
        QTest::newRow("t0") << "sweep-t0"
                            << "t0" << 7;
    }
    void studySweepPresetsMatchSpec()
    {
        QFETCH(QString, preset);
        QFETCH(QString, knob);
        QFETCH(int, points);
        const QString out = path(preset);
        auto r = runCli({"sweep", "--preset", preset, "--params-only", "--out", out, "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto rows = lastJsonLine(r.out).value(QStringLiteral("results")).toArray();
        QCOMPARE(rows.size(), 2 * points);
        for (const auto& v : rows) {
            const auto row = v.toObject();
            phinet::oracle::Knobs k; // the study's base: 3x224x224, alpha 3, beta 0.75, t0 6, N 7
            const double value = row.value(QStringLiteral("sweep_value")).toDouble();
            if (knob == QLatin1String("num_layers")) k.n = int(value);
            if (knob == QLatin1String("alpha")) k.alpha = value;
            if (knob == QLatin1String("beta")) k.beta = value;
            if (knob == QLatin1String("t0")) k.t0 = value;
            const bool modified = row.value(QStringLiteral("variant")).toString() == QLatin1String("modified");
            k.variant = modified ? phinet::oracle::V::Modified : phinet::oracle::V::Original;
            k.divisor = modified ? 8 : 1;
            QCOMPARE(row.value(QStringLiteral("params")).toInteger(), phinet::oracle::params(k));
        }
        // the CSV carries the same rows
        QFile csv(out + QStringLiteral("/sweep.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts).size(),
                 2 * points + 1);
    }

    // kill -9 in the middle of a sweep; --resume completes it with no duplicated or lost rows.
    void sweepKilledAndResumed()
    {
        const QString out = path(QStringLiteral("killed-sweep"));
        QProcess p;
        p.start(QStringLiteral(PHINET_CLI_PATH), {"sweep", "--preset", "sweep-quick", "--runs", "400", "--out", out});
        QVERIFY(p.waitForStarted());
        QByteArray err;
        QTRY_VERIFY_WITH_TIMEOUT((err += p.readAllStandardError(), err.count("[sweep") >= 2),
                                 120000); // a point is committed
        ::kill(pid_t(p.processId()), SIGKILL);
        QVERIFY(p.waitForFinished(30000));
        QFile partial(out + QStringLiteral("/sweep.csv"));
        QVERIFY(partial.open(QIODevice::ReadOnly));
        const int before =
            QString::fromUtf8(partial.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts).size() - 1;
        partial.close();
        QVERIFY2(before >= 2 && before < 8, qPrintable(QString::number(before))); // really interrupted
        auto r =
            runCli({"sweep", "--preset", "sweep-quick", "--runs", "400", "--out", out, "--resume", "--json"}, 300000);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto rows = lastJsonLine(r.out).value(QStringLiteral("results")).toArray();
        QCOMPARE(rows.size(), 8);
        QSet<QString> keys;
        for (const auto& v : rows)
            keys.insert(v.toObject().value(QStringLiteral("model")).toString() + QLatin1Char('@') +
                        QString::number(v.toObject().value(QStringLiteral("sweep_value")).toDouble()));
        QCOMPARE(keys.size(), 8);
        QFile csv(out + QStringLiteral("/sweep.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(csv.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts).size(), 9);
    }

    // `phinet fit`, the issue's two cases. The search itself is checked by brute force in tst_fit; here
    // the answers are checked against `phinet model` and hand-computed figures.
    void fitFindsLargest()
    {
        auto r = runCli({"fit", "--target", "stm32f746g-disco", "--input", "3,96,96", "--reserve-ram", "0",
                         "--reserve-flash", "0", "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto o = lastJsonLine(r.out);
        QVERIFY(o.value(QStringLiteral("found")).toBool());
        QCOMPARE(o.value(QStringLiteral("budget")).toObject().value(QStringLiteral("ram_bytes")).toInteger(),
                 320 * 1024);
        QCOMPARE(o.value(QStringLiteral("budget")).toObject().value(QStringLiteral("flash_bytes")).toInteger(),
                 1024 * 1024);
        const auto grid = o.value(QStringLiteral("grid")).toObject();
        QCOMPARE(grid.value(QStringLiteral("method")).toString(), QStringLiteral("exhaustive"));
        QCOMPARE(grid.value(QStringLiteral("alphas")).toInteger(), 99);
        QCOMPARE(o.value(QStringLiteral("evaluated")).toInteger(), 99 * 7);
        QVERIFY(o.value(QStringLiteral("search_seconds")).toDouble() < 5);
        const auto best = o.value(QStringLiteral("best")).toObject();
        const auto int8 = best.value(QStringLiteral("int8")).toObject();
        QVERIFY(int8.value(QStringLiteral("fits")).toBool());
        QVERIFY(int8.value(QStringLiteral("peak_ram_bytes")).toInteger() <= 320 * 1024);
        QVERIFY(int8.value(QStringLiteral("flash_bytes")).toInteger() <= 1024 * 1024);
        QCOMPARE(int8.value(QStringLiteral("ram_margin_bytes")).toInteger(),
                 320 * 1024 - int8.value(QStringLiteral("peak_ram_bytes")).toInteger());
        // `phinet model` agrees on the network it names
        const QString alpha = QString::number(best.value(QStringLiteral("alpha")).toDouble());
        const QString blocks = QString::number(best.value(QStringLiteral("blocks")).toInt());
        auto m = runCli({"model", "--json", "--input", "3,96,96", "--variant", "modified", "--alpha", alpha, "--layers",
                         blocks, "--beta", "0.75", "--t0", "6"});
        QCOMPARE(m.exitCode, 0);
        const auto mo = lastJsonLine(m.out);
        QCOMPARE(mo.value(QStringLiteral("macs")).toInteger(), best.value(QStringLiteral("macs")).toInteger());
        QCOMPARE(mo.value(QStringLiteral("peak_ram_bytes_int8")).toInteger(),
                 int8.value(QStringLiteral("peak_ram_bytes")).toInteger());
        QCOMPARE(mo.value(QStringLiteral("flash_bytes_int8")).toInteger(),
                 int8.value(QStringLiteral("flash_bytes")).toInteger());
        // the next alpha of the grid at the same depth has more MACs and does not fit
        auto next =
            runCli({"model", "--json", "--input", "3,96,96", "--variant", "modified", "--alpha",
                    QString::number(best.value(QStringLiteral("alpha")).toDouble() + 0.05), "--layers", blocks});
        const auto no = lastJsonLine(next.out);
        if (no.value(QStringLiteral("macs")).toInteger() > mo.value(QStringLiteral("macs")).toInteger())
            QVERIFY(no.value(QStringLiteral("peak_ram_bytes_int8")).toInteger() > 320 * 1024 ||
                    no.value(QStringLiteral("flash_bytes_int8")).toInteger() > 1024 * 1024);
        // the text form prints the network, its table and margins
        r = runCli({"fit", "--target", "stm32f746g-disco", "--input", "3,96,96", "--reserve-ram", "0",
                    "--reserve-flash", "0"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("largest that fits: alpha " +
                               QByteArray::number(best.value(QStringLiteral("alpha")).toDouble(), 'f', 2)));
        QVERIFY(r.out.contains("block0"));
        QVERIFY(r.out.contains("INT8 on stm32f746g-disco: fits: RAM"));
        QVERIFY(r.out.contains("exhaustive"));
    }

    // nucleo-f401re at 3x96x96: nothing fits. The smallest network (alpha 0.1, 4 blocks) peaks at 138,240
    // INT8 bytes in block1's depthwise conv (hand-computed in tst_fit): 39 KB over 96 KB.
    void fitNothingFits()
    {
        auto r = runCli({"fit", "--target", "nucleo-f401re", "--input", "3,96,96", "--reserve-ram", "0",
                         "--reserve-flash", "0", "--json"});
        QCOMPARE(r.exitCode, 0);
        const auto o = lastJsonLine(r.out);
        QVERIFY(!o.value(QStringLiteral("found")).toBool());
        const auto s = o.value(QStringLiteral("smallest")).toObject();
        QCOMPARE(s.value(QStringLiteral("alpha")).toDouble(), 0.1);
        QCOMPARE(s.value(QStringLiteral("blocks")).toInt(), 4);
        const auto int8 = s.value(QStringLiteral("int8")).toObject();
        QCOMPARE(int8.value(QStringLiteral("peak_ram_bytes")).toInteger(), 138240);
        QCOMPARE(int8.value(QStringLiteral("ram_margin_bytes")).toInteger(), 96 * 1024 - 138240);
        QCOMPARE(int8.value(QStringLiteral("ram_peak_at")).toString(), QStringLiteral("block1/depthwise"));
        QVERIFY(int8.value(QStringLiteral("verdict"))
                    .toString()
                    .startsWith(QStringLiteral("does not fit: RAM over by 39.0 KB at block1/depthwise")));
        const auto in = o.value(QStringLiteral("fitting_input")).toArray();
        QCOMPARE(in.size(), 3);
        QCOMPARE(in[0].toInt(), 3);
        const int h = in[1].toInt();
        QVERIFY(h > 8 && h < 96);
        auto peakAt = [](int size) {
            auto m = runCli({"model", "--json", "--input", QStringLiteral("3,%1,%1").arg(size), "--variant", "modified",
                             "--alpha", "0.1", "--layers", "4", "--beta", "0.75", "--t0", "6"});
            return lastJsonLine(m.out).value(QStringLiteral("peak_ram_bytes_int8")).toInteger();
        };
        QVERIFY(peakAt(h) <= 96 * 1024);
        QVERIFY(peakAt(h + 1) > 96 * 1024);
        r = runCli(
            {"fit", "--target", "nucleo-f401re", "--input", "3,96,96", "--reserve-ram", "0", "--reserve-flash", "0"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(r.out.contains("nothing on the grid fits nucleo-f401re"));
        QVERIFY(r.out.contains(QStringLiteral("it fits at input 3,%1,%1").arg(h).toUtf8()));
    }

    // A bad user targets file is a bad file: exit 1, naming the file and the entry.
    void fitBadTargetsFile()
    {
        QTemporaryDir home;
        QFile f(home.filePath(QStringLiteral("targets.json")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"targets": [{"name": "mine", "mcu": "x", "flash_kb": 64, "ram_kb": "lots", "source": "s"}]})");
        f.close();
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PHINET_DATA_HOME"), home.path());
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(PHINET_CLI_PATH), {"fit", "--target", "mine", "--input", "3,32,32"});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 1);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(f.fileName() + QStringLiteral(": targets[0] \"mine\": ram_kb")), qPrintable(err));
    }

    // A sweep with --target carries the fits_<target> column.
    void sweepFitColumn()
    {
        const QString out = path(QStringLiteral("sweep-fit"));
        auto r = runCli({"sweep", "--knob", "alpha", "--values", "0.25,1,3", "--input", "3,64,64", "--params-only",
                         "--target", "nucleo-f401re", "--reserve-ram", "0", "--reserve-flash", "0", "--out", out});
        QCOMPARE(r.exitCode, 0);
        QFile csv(out + QStringLiteral("/sweep.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(csv.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 7); // header + 3 points x 2 variants
        QCOMPARE(lines[0].split(QLatin1Char(',')).last(), QStringLiteral("fits_nucleo-f401re"));
        QStringList values;
        for (int i = 1; i < lines.size(); ++i)
            values << lines[i].split(QLatin1Char(',')).last();
        QVERIFY2(values.contains(QStringLiteral("true")) && values.contains(QStringLiteral("false")),
                 qPrintable(values.join(',')));
        for (const auto& v : values)
            QVERIFY(v == QLatin1String("true") || v == QLatin1String("false"));
    }

    void quantizeOptionsBindToTheConfig()
    {
        // the options land in the core's QuantConfig as the JSON it reports shows (old names too)
        const QString out = path(QStringLiteral("bound.int8"));
        auto r = runCli({"quantize",
                         "--model-only",
                         "--alpha",
                         "0.25",
                         "--layers",
                         "4",
                         "--observer",
                         "percentile",
                         "--percentile",
                         "99.5",
                         "--averaging-constant",
                         "0.2",
                         "--freeze-observers",
                         "0",
                         "--calib-batches",
                         "3",
                         "--calib-batch-size",
                         "8",
                         "--weights",
                         "per-tensor",
                         "--reduce-range",
                         "on",
                         "--runs",
                         "2",
                         "--warmup",
                         "0",
                         "--threads",
                         "1",
                         "--out",
                         out,
                         "--json"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const auto q = lastJsonLine(r.out).value(QStringLiteral("quantization")).toObject();
        QCOMPARE(q.value(QStringLiteral("observer")).toString(), QStringLiteral("percentile"));
        QCOMPARE(q.value(QStringLiteral("percentile")).toDouble(), 99.5);
        QCOMPARE(q.value(QStringLiteral("averaging_constant")).toDouble(), 0.2);
        QCOMPARE(q.value(QStringLiteral("freeze_observers_after")).toInt(), 0);
        QCOMPARE(q.value(QStringLiteral("calib_batches")).toInt(), 3);
        QCOMPARE(q.value(QStringLiteral("calib_batch_size")).toInt(), 8);
        QCOMPARE(q.value(QStringLiteral("weights")).toString(), QStringLiteral("per-tensor"));
        QCOMPARE(q.value(QStringLiteral("reduce_range")).toString(), QStringLiteral("on"));
        QCOMPARE(q.value(QStringLiteral("threads")).toInt(), 1);
        // and the help lists every field of the core's list under its JSON key
        auto h = runCli({"quantize", "--help"});
        QCOMPARE(h.exitCode, 0);
        for (const char* flag : {"--observer", "--percentile", "--averaging-constant", "--weights", "--engine",
                                 "--reduce-range", "--calib-batches", "--calib-batch-size", "--qat-epochs", "--qat-lr",
                                 "--freeze-observers-after", "--freeze-bn-after", "--learned-scales", "--threads"})
            QVERIFY2(h.out.contains(flag), flag);
        // train's step schedule decays every epochs / 3 epochs unless --step-epochs is given: the help
        // says that, not the config's default of 1
        auto t = runCli({"train", "--help"});
        QCOMPARE(t.exitCode, 0);
        QVERIFY2(t.out.contains("--step-epochs INT=epochs / 3"), t.out.constData());
    }

    void badArguments_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("names");
        QTest::newRow("alpha 0") << QStringList{"model", "--alpha", "0"} << "--alpha";
        QTest::newRow("alpha text") << QStringList{"model", "--alpha", "wide"} << "--alpha";
        QTest::newRow("input") << QStringList{"model", "--input", "3,32"} << "--input";
        QTest::newRow("input small") << QStringList{"model", "--input", "3,4,4"} << "--input";
        QTest::newRow("layers") << QStringList{"model", "--layers", "0"} << "--layers";
        QTest::newRow("classes") << QStringList{"model", "--classes", "1"} << "--classes";
        QTest::newRow("variant") << QStringList{"model", "--variant", "fast"} << "--variant";
        QTest::newRow("downsampling") << QStringList{"model", "--downsampling", "3"} << "--downsampling";
        QTest::newRow("unknown") << QStringList{"model", "--bogus"} << "--bogus";
        QTest::newRow("no subcommand") << QStringList{} << "subcommand";
        QTest::newRow("train data dir") << QStringList{"train", "--data-dir", "/nonexistent/mnist"} << "--data-dir";
        QTest::newRow("train dataset") << QStringList{"train", "--dataset", "imagenet"} << "--dataset";
        QTest::newRow("train epochs") << QStringList{"train", "--epochs", "-1"} << "--epochs";
        QTest::newRow("train lr") << QStringList{"train", "--lr", "0"} << "--lr";
        QTest::newRow("train optimizer") << QStringList{"train", "--optimizer", "lbfgs"} << "--optimizer";
        QTest::newRow("train resume") << QStringList{"train", "--resume", "/nonexistent.ckpt"} << "--resume";
        QTest::newRow("eval ckpt") << QStringList{"eval", "--ckpt", "/nonexistent.ckpt"} << "--ckpt";
        QTest::newRow("eval no ckpt") << QStringList{"eval"} << "--ckpt";
        QTest::newRow("quantize no ckpt") << QStringList{"quantize", "--out", "/tmp/x.int8"} << "--ckpt";
        QTest::newRow("quantize observer")
            << QStringList{"quantize", "--model-only", "--observer", "magic", "--out", "/tmp/x.int8"} << "--observer";
        QTest::newRow("quantize calib") << QStringList{"quantize", "--model-only", "--calib-batches",
                                                       "0",        "--out",        "/tmp/x.int8"}
                                        << "--calib-batches";
        QTest::newRow("quantize engine") << QStringList{"quantize", "--model-only", "--engine",
                                                        "fbgemm",   "--out",        "/tmp/x.int8"}
                                         << "--engine";
        // every quantization and training field is an option named after its JSON key, checked by
        // the core's validate() and reported under the option's name
        QTest::newRow("quantize percentile")
            << QStringList{"quantize", "--model-only", "--percentile", "30", "--out", "/tmp/x.int8"}
            << "--percentile: must be in (50, 100] (got 30)";
        QTest::newRow("quantize freeze alias")
            << QStringList{"quantize", "--model-only", "--freeze-observers", "-1", "--out", "/tmp/x.int8"}
            << "--freeze-observers-after: must be in [0, 100000] (got -1)";
        QTest::newRow("quantize reduce range")
            << QStringList{"quantize", "--model-only", "--reduce-range", "maybe", "--out", "/tmp/x.int8"}
            << "--reduce-range: expected auto, on or off";
        QTest::newRow("train grad clip") << QStringList{"train", "--grad-clip", "-1"} << "--grad-clip: must be in";
        QTest::newRow("train step gamma")
            << QStringList{"train", "--step-gamma", "2"} << "--step-gamma: must be in (0, 1] (got 2)";
        QTest::newRow("train schedule") << QStringList{"train", "--schedule", "linear"}
                                        << "--schedule: expected constant, step or cosine";
        QTest::newRow("bench model") << QStringList{"bench", "--model", "/nonexistent.int8"} << "--model";
        QTest::newRow("export model") << QStringList{"export", "--model", "/nonexistent.ckpt", "--format",
                                                     "onnx",   "--out",   "/tmp/x.onnx"}
                                      << "--model";
        QTest::newRow("export format") << QStringList{"export", "--model", "/nonexistent.ckpt", "--format", "tflite",
                                                      "--out",  "/tmp/x"}
                                       << "--format";
        QTest::newRow("export no out") << QStringList{"export", "--model", "/nonexistent.ckpt", "--format", "onnx"}
                                       << "--out";
        QTest::newRow("study preset") << QStringList{"study", "--preset", "nope"} << "--preset";
        QTest::newRow("study both") << QStringList{"study"} << "--preset";
        QTest::newRow("sweep knob") << QStringList{"sweep", "--knob", "gamma", "--values", "1,2"} << "--knob";
        QTest::newRow("sweep values") << QStringList{"sweep", "--knob", "alpha", "--values", "a,b"} << "--values";
        QTest::newRow("runs show") << QStringList{"runs", "show", "999999"} << "does not exist";
        QTest::newRow("fit target") << QStringList{"fit", "--target", "esp32", "--input", "3,96,96"} << "--target";
        QTest::newRow("fit no target") << QStringList{"fit", "--input", "3,96,96"} << "--target";
        QTest::newRow("fit input") << QStringList{"fit", "--target", "rpi-pico", "--input", "3,96"} << "--input";
        QTest::newRow("fit input small") << QStringList{"fit", "--target", "rpi-pico", "--input", "3,4,4"} << "--input";
        QTest::newRow("fit reserve") << QStringList{"fit",           "--target", "nucleo-f401re", "--input", "3,32,32",
                                                    "--reserve-ram", "96"}
                                     << "--reserve-ram";
        QTest::newRow("fit beta") << QStringList{"fit", "--target", "rpi-pico", "--input", "3,32,32", "--beta", "1,x"}
                                  << "--beta";
        QTest::newRow("fit blocks") << QStringList{"fit",     "--target", "rpi-pico", "--input",
                                                   "3,32,32", "--blocks", "4.5"}
                                    << "--blocks";
        QTest::newRow("sweep target") << QStringList{"sweep", "--knob", "alpha", "--values", "1,2", "--target", "esp32"}
                                      << "--target";
    }
    void badArguments()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, names);
        auto r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.contains(names), qPrintable(err));
        QCOMPARE(err.count(QLatin1Char('\n')), 0); // one line
        QVERIFY(r.out.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
