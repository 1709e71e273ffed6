// The report code the GUI and the CLI share: precision names, the results column table, the Pareto
// front, epochs.csv and the run-folder export. Every expectation is written out by hand.
#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/experiment/ExperimentConfig.h"
#include "phinet/report/Report.h"
#include "phinet/report/ResultColumns.h"
#include "phinet/report/Results.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

ModelResult point(const std::string& name, std::optional<double> latencyMs, std::optional<double> accuracy,
                  bool latencyAvailable = true)
{
    ModelResult r;
    r.model = name;
    r.accuracyPct = accuracy;
    if (latencyMs) {
        LatencyReport l;
        l.available = latencyAvailable;
        l.median = *latencyMs;
        l.p90 = *latencyMs * 1.5;
        r.cpuLatency = l;
    }
    return r;
}

std::string readAll(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::set<std::string> filesUnder(const fs::path& dir)
{
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        out.insert(fs::relative(e.path(), dir).string());
    return out;
}

} // namespace

class TestReport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void precisionNames()
    {
        QCOMPARE(std::string(toString(Precision::Fp32)), std::string("fp32"));
        QCOMPARE(std::string(toString(Precision::Int8)), std::string("int8"));
        QCOMPARE(std::string(toString(Precision::Fp32AndInt8)), std::string("fp32+int8"));
        QCOMPARE(precisionFromString("int8"), std::optional<Precision>(Precision::Int8));
        QCOMPARE(precisionFromString("fp32+int8"), std::optional<Precision>(Precision::Fp32AndInt8));
        QVERIFY(!precisionFromString("INT8"));
        QVERIFY(!precisionFromString("fp16"));
        // the JSON of a row keeps the name; an unknown one is an error naming the field and the value
        ModelResult r;
        r.precision = Precision::Int8;
        QCOMPARE(toJson(r).at("precision").get<std::string>(), std::string("int8"));
        auto j = toJson(r);
        j["precision"] = "fp16";
        try {
            modelResultFromJson(j);
            QFAIL("an unknown precision was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("precision") != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find("fp16") != std::string::npos, e.what());
        }
    }

    void sizeIsTheRowsOwnFile()
    {
        ModelResult r;
        r.fp32SizeMib = 1.5;
        r.int8SizeMib = 0.4;
        r.precision = Precision::Fp32;
        QCOMPARE(*sizeMib(r), 1.5);
        r.precision = Precision::Int8;
        QCOMPARE(*sizeMib(r), 0.4);
        r.precision = Precision::Fp32AndInt8; // a sweep point: its FP32 model
        QCOMPARE(*sizeMib(r), 1.5);
        r.precision = Precision::Int8;
        r.int8SizeMib.reset();
        QVERIFY(!sizeMib(r));
    }

    void manifestDataNoteOnlyWhenSet()
    {
        Manifest m;
        QVERIFY(!toJson(m).contains("data_note"));
        m.dataNote = "the bundled subset: /nowhere has no data";
        QCOMPARE(toJson(m).at("data_note").get<std::string>(), m.dataNote);
    }

    void paretoFrontOnHandMadePoints()
    {
        const std::vector<ModelResult> rows{
            point("d", 3.0, 94),           // 0: b is faster and more accurate
            point("e", 4.0, 97),           // 1: front (the most accurate)
            point("b", 2.0, 95),           // 2: front
            point("f", 0.5, std::nullopt), // 3: no accuracy: not placed
            point("a", 1.0, 90),           // 4: front (the fastest)
            point("c", 2.0, 93),           // 5: as fast as b, less accurate
            point("g", 0.1, 99, false),    // 6: latency not measured: not placed
            point("h", 5.0, 97),           // 7: as accurate as e, slower
            point("a-again", 1.0, 90),     // 8: identical to a, later in the rows
            point("n", std::nullopt, 99),  // 9: no latency: not placed
        };
        QCOMPARE(paretoCandidates(rows), (std::vector<std::size_t>{0, 1, 2, 4, 5, 7, 8}));
        QCOMPARE(paretoFront(rows), (std::vector<std::size_t>{4, 2, 1}));
        QVERIFY(paretoFront({}).empty());
        QCOMPARE(paretoFront({point("only", 7.0, 10)}), (std::vector<std::size_t>{0}));
        // a slower point that is more accurate than everything before it joins the front
        QCOMPARE(paretoFront({point("x", 1.0, 50), point("y", 9.0, 50.5)}), (std::vector<std::size_t>{0, 1}));
    }

    void epochsCsvContent()
    {
        EpochSummary first;
        first.epoch = 1;
        first.trainLoss = 0.5;
        first.trainAccuracy = 80.25;
        first.test = EvalResult{};
        first.test->loss = 0.25;
        first.test->accuracy = 91.5;
        first.epochSeconds = 2;
        first.imagesPerSecond = 1000;
        first.lr = 0.001;
        EpochSummary second; // no test set: its columns stay blank; a comma in the name is quoted
        second.epoch = 2;
        second.trainLoss = 1;
        second.trainAccuracy = 50;
        second.epochSeconds = 3;
        second.imagesPerSecond = 10;
        second.lr = 0.1;
        const std::string expected =
            "model,epoch,train_loss,train_accuracy_pct,test_loss,test_accuracy_pct,epoch_s,images_per_s,lr\r\n"
            "modified-fp32,1,0.500000,80.250000,0.250000,91.500000,2.000000,1000.000000,0.001000\r\n"
            "\"a,b\",2,1.000000,50.000000,,,3.000000,10.000000,0.100000\r\n";
        QCOMPARE(epochsCsv({{"modified-fp32", first}, {"a,b", second}}), expected);
        QCOMPARE(epochsCsv({}),
                 std::string("model,epoch,train_loss,train_accuracy_pct,test_loss,test_accuracy_pct,epoch_s,"
                             "images_per_s,lr\r\n"));
    }

    void runFolderFilesAndConfigRoundTrip()
    {
        QTemporaryDir tmp;
        const fs::path dir = fs::path(tmp.path().toStdString()) / "exports" / "run-7"; // created, parents too
        ExperimentConfig cfg;
        cfg.name = "round-trip";
        cfg.trainModified.epochs = 7;
        cfg.trainOriginal.lr = 0.0025;
        cfg.quant.calibrationBatches = 13;
        ModelResult fp32 = point("modified-fp32", 2.5, 98.5);
        fp32.variant = "modified";
        fp32.fp32SizeMib = 1.25;
        ModelResult int8 = point("modified-ptq-int8", 1.0, 98.0);
        int8.variant = "modified";
        int8.precision = Precision::Int8;
        int8.int8SizeMib = 0.375;
        EpochSummary e;
        e.epoch = 1;
        const nlohmann::json manifest{{"seed", 42}, {"engine", "onednn"}};

        const auto files = writeRunFolder(dir, {fp32, int8}, {{"modified-fp32", e}}, toJson(cfg), manifest);
        QCOMPARE(files, (std::vector<fs::path>{dir / "results.csv", dir / "results.json", dir / "epochs.csv",
                                               dir / "config.json"}));
        QCOMPARE(filesUnder(dir), (std::set<std::string>{"results.csv", "results.json", "epochs.csv", "config.json"}));

        const auto config = experimentConfigFromJson(readJsonFile(dir / "config.json"));
        QCOMPARE(config.name, std::string("round-trip"));
        QCOMPARE(config.trainModified.epochs, 7);
        QCOMPARE(config.trainOriginal.lr, 0.0025);
        QCOMPARE(config.quant.calibrationBatches, 13);

        const auto results = readJsonFile(dir / "results.json");
        QCOMPARE(results.at("manifest").at("seed").get<int>(), 42);
        QCOMPARE(results.at("results").size(), std::size_t(2));
        const auto back = modelResultFromJson(results.at("results").at(1));
        QCOMPARE(back.model, std::string("modified-ptq-int8"));
        QVERIFY(back.precision == Precision::Int8);
        QCOMPARE(*back.int8SizeMib, 0.375);

        const std::string csv = readAll(dir / "results.csv");
        QVERIFY(csv.rfind("model,variant,precision,", 0) == 0);
        QVERIFY2(csv.find("\r\nmodified-fp32,modified,fp32,") != std::string::npos, csv.c_str());
        QVERIFY2(csv.find("\r\nmodified-ptq-int8,modified,int8,") != std::string::npos, csv.c_str());
        QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), 3L);
        QVERIFY(readAll(dir / "epochs.csv").find("\r\nmodified-fp32,1,") != std::string::npos);

        // without epochs and config: only the results
        const fs::path bare = fs::path(tmp.path().toStdString()) / "bare";
        QCOMPARE(writeRunFolder(bare, {fp32}, {}, nullptr, nullptr).size(), std::size_t(2));
        QCOMPARE(filesUnder(bare), (std::set<std::string>{"results.csv", "results.json"}));

        // a folder that cannot be made (a file is in the way) is an error naming it
        writeFileAtomic(fs::path(tmp.path().toStdString()) / "file", "x");
        const fs::path blocked = fs::path(tmp.path().toStdString()) / "file" / "run";
        try {
            writeRunFolder(blocked, {fp32}, {}, nullptr, nullptr);
            QFAIL("a folder under a file was written");
        } catch (const std::exception& ex) {
            QVERIFY2(std::string(ex.what()).find(blocked.string()) != std::string::npos, ex.what());
        }
    }

    void columnCells()
    {
        ModelResult r;
        r.model = "modified-qat-int8";
        r.variant = "modified";
        r.precision = Precision::Int8;
        r.params = 4406997;
        r.macs = 1234;
        r.accuracyPct = 97.126;
        r.fp32SizeMib = 9.0;
        r.int8SizeMib = 0.12345;
        r.flashBytesInt8 = 2048;
        LatencyReport cpu;
        cpu.median = 1.23456;
        cpu.p90 = 2.5;
        r.cpuLatency = cpu;
        LatencyReport gpu;
        gpu.available = false;
        gpu.unavailableReason = "no CUDA";
        r.gpuLatency = gpu;

        QCOMPARE(resultCell(ResultColumn::Model, r).text, std::string("modified-qat-int8"));
        QCOMPARE(resultCell(ResultColumn::Precision, r).text, std::string("int8"));
        QCOMPARE(resultCell(ResultColumn::Params, r).text, std::string("4,406,997"));
        QCOMPARE(*resultCell(ResultColumn::Params, r).value, 4406997.0);
        QCOMPARE(resultCell(ResultColumn::Accuracy, r).text, std::string("97.13"));
        QCOMPARE(resultCell(ResultColumn::Size, r).text, std::string("0.123")); // the INT8 file
        QCOMPARE(resultCell(ResultColumn::CpuLatency, r).text, std::string("1.235"));
        QCOMPARE(resultCell(ResultColumn::CpuLatencyP90, r).text, std::string("2.500"));
        QCOMPARE(resultCell(ResultColumn::FlashInt8, r).text, std::string("2.0"));
        QVERIFY(resultCell(ResultColumn::PeakRamInt8, r).text.empty()); // 0 bytes: not estimated
        QVERIFY(resultCell(ResultColumn::TrainSeconds, r).text.empty());
        QVERIFY(!resultCell(ResultColumn::TrainSeconds, r).value);
        QVERIFY(resultCell(ResultColumn::Int8Latency, r).text.empty());
        QVERIFY(resultCell(ResultColumn::SweepPoint, r).text.empty());
        const auto g = resultCell(ResultColumn::GpuLatency, r);
        QVERIFY(g.unavailable);
        QCOMPARE(g.reason, std::string("no CUDA"));
        QVERIFY(!g.value);
        r.sweepKnob = "alpha";
        r.sweepValue = 0.5;
        QCOMPARE(resultCell(ResultColumn::SweepPoint, r).text, std::string("alpha = 0.5"));

        // the comparison's measures and the CLI's columns
        std::vector<std::string> compared, brief;
        for (const auto& c : resultColumns()) {
            if (c.compared) compared.push_back(c.header);
            if (c.brief) brief.push_back(c.header);
        }
        QCOMPARE(compared, (std::vector<std::string>{"Params", "Accuracy (%)", "Size (MiB)", "CPU latency (ms)",
                                                     "p90 (ms)", "INT8 latency (ms)", "Train time (s)"}));
        QCOMPARE(brief, (std::vector<std::string>{"Model", "Accuracy (%)", "Size (MiB)", "CPU latency (ms)", "p90 (ms)",
                                                  "95% interval (ms)", "Latency ratio [95%]", "GPU latency (ms)",
                                                  "Train time (s)"}));
        QVERIFY(!resultColumn(ResultColumn::Accuracy).lowerIsBetter);
        QVERIFY(resultColumn(ResultColumn::CpuLatency).lowerIsBetter);
    }

    void cliTable()
    {
        ModelResult a = point("original-fp32", 2.0, 98.5);
        a.fp32SizeMib = 1.0;
        LatencyReport gpu;
        gpu.available = false;
        gpu.unavailableReason = "built without CUDA";
        a.gpuLatency = gpu;
        ModelResult b = point("modified-qat-int8", std::nullopt, std::nullopt);
        const std::string expected = "Model              Accuracy (%)  Size (MiB)  CPU latency (ms)  p90 (ms)  95% "
                                     "interval (ms)  Latency ratio [95%]  GPU latency (ms)  Train time (s)\n"
                                     "original-fp32             98.50       1.000             2.000     3.000  -       "
                                     "           -                                 n/a               -\n"
                                     "modified-qat-int8             -           -                 -         -  -       "
                                     "           -                                   -               -\n"
                                     "GPU latency: unavailable (built without CUDA)\n";
        QCOMPARE(formatResultsTable({a, b}), expected);
    }
};

QTEST_MAIN(TestReport)
#include "tst_report.moc"
