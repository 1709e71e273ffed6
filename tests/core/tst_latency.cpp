// The interleaved latency comparison: order of rounds, medians and their intervals, paired ratios,
// instability and busy-machine warnings, and the file runner's protocol. Synthetic round runners make
// the statistics exact; no assertion here depends on how fast this machine is.
#include "phinet/bench/Comparison.h"
#include "phinet/bench/ModelBench.h"
#include "phinet/common/Cancel.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/quant/Quantizer.h"
#include "phinet/report/ResultColumns.h"
#include "TestModels.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <chrono>
#include <random>
#include <thread>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace phinet;
namespace fs = std::filesystem;

class TestLatency : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void medianInterval()
    {
        const auto c = medianWithInterval({5, 5, 5, 5});
        QCOMPARE(c.median, 5.0);
        QCOMPARE(c.low, 5.0);
        QCOMPARE(c.high, 5.0);
        // 1..9: median 5; the bootstrap interval of a median of 9 values lies within the data
        // and contains the median
        const auto m = medianWithInterval({9, 1, 8, 2, 7, 3, 6, 4, 5});
        QCOMPARE(m.median, 5.0);
        QVERIFY(m.low >= 1 && m.low <= 5);
        QVERIFY(m.high >= 5 && m.high <= 9);
        QVERIFY(m.low < m.high);
        // repeatable: seeded
        const auto again = medianWithInterval({9, 1, 8, 2, 7, 3, 6, 4, 5});
        QCOMPARE(again.low, m.low);
        QCOMPARE(again.high, m.high);
        // even count: mean of the middle two
        QCOMPARE(medianWithInterval({1, 2, 3, 10}).median, 2.5);
    }

    void interleavedRoundRobin()
    {
        std::vector<std::pair<size_t, int>> calls;
        ComparisonProtocol p;
        p.rounds = 4;
        auto c = compareLatency(
            {"a", "b", "c"},
            [&](size_t i, int r) {
                calls.emplace_back(i, r);
                return std::vector<double>{double(i + 1)};
            },
            p);
        // round r starts at model r mod 3 and runs every model once
        const std::vector<std::pair<size_t, int>> expected{{0, 0}, {1, 0}, {2, 0}, {1, 1}, {2, 1}, {0, 1},
                                                           {2, 2}, {0, 2}, {1, 2}, {0, 3}, {1, 3}, {2, 3}};
        QCOMPARE(calls, expected);
        QCOMPARE(c.models.size(), size_t(3));
        for (size_t i = 0; i < 3; ++i) {
            QCOMPARE(c.models[i].roundMedians.size(), size_t(4));
            QCOMPARE(c.models[i].median, double(i + 1));
        }
        QCOMPARE(c.ratios.size(), size_t(2));
        QCOMPARE(c.ratios[0].numerator, std::string("b"));
        QCOMPARE(c.ratios[0].denominator, std::string("a"));
        QCOMPARE(c.ratios[0].ratio, 2.0);
        QCOMPARE(c.ratios[1].ratio, 3.0);
    }

    void ratiosResolveOrNot()
    {
        // A takes 2 ms, B 1 ms, both with 5% noise; a drift common to both within a round (the
        // machine slowing down) must cancel in the paired ratio.
        std::mt19937 gen(7);
        std::normal_distribution<double> noise(1.0, 0.05);
        ComparisonProtocol p;
        p.rounds = 12;
        p.runsPerRound = 15;
        auto run = [&](double base) {
            return [&, base](size_t, int r) {
                std::vector<double> s;
                const double drift = 1.0 + 0.5 * (r % 3); // up to 2x between rounds
                for (int k = 0; k < p.runsPerRound; ++k)
                    s.push_back(base * drift * noise(gen));
                return s;
            };
        };
        auto a = run(2.0), b = run(1.0);
        auto c = compareLatency(
            {"slow", "fast"}, [&](size_t i, int r) { return i == 0 ? a(i, r) : b(i, r); }, p);
        const auto& ratio = c.ratios.at(0); // fast / slow
        QVERIFY2(ratio.intervalLow <= 0.5 && ratio.intervalHigh >= 0.5,
                 qPrintable(QStringLiteral("[%1, %2]").arg(ratio.intervalLow).arg(ratio.intervalHigh)));
        QVERIFY(std::abs(ratio.ratio - 0.5) < 0.05);
        QVERIFY(ratio.resolved());
        // each latency alone carries the drift: wide intervals, flagged unstable
        QVERIFY(c.models[0].unstable);
        QVERIFY(!c.warnings.empty());
        QVERIFY(c.models[0].cv > 0.2);
        // two equal models: the ratio's interval holds 1, "not resolved"
        auto same = compareLatency(
            {"x", "y"}, [&](size_t, int r) { return a(0, r); }, p);
        QVERIFY2(
            same.ratios[0].intervalLow <= 1.0 && same.ratios[0].intervalHigh >= 1.0,
            qPrintable(QStringLiteral("[%1, %2]").arg(same.ratios[0].intervalLow).arg(same.ratios[0].intervalHigh)));
        QVERIFY(!same.ratios[0].resolved());
        QVERIFY(formatComparison(same).find("not resolved") != std::string::npos);
        // a steady model: narrow interval, no warning about it
        auto steady = compareLatency(
            {"s"}, [&](size_t, int) { return std::vector<double>(10, 3.0); }, p);
        QVERIFY(!steady.models[0].unstable);
        QCOMPARE(steady.models[0].cv, 0.0);
    }

    void busyMachineIsReported()
    {
        // A child process burns one core while the comparison runs: reported as other load.
        const pid_t child = fork();
        if (child == 0) {
            volatile unsigned long x = 0;
            for (;;)
                x = x + 1;
        }
        QVERIFY(child > 0);
        ComparisonProtocol p;
        p.rounds = 3;
        auto c = compareLatency(
            {"sleep"},
            [](size_t, int) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return std::vector<double>{300.0};
            },
            p);
        kill(child, SIGKILL);
        waitpid(child, nullptr, 0);
        QVERIFY(c.load.measured);
        QVERIFY2(c.load.otherProcessesCores > 0.5, qPrintable(QString::number(c.load.otherProcessesCores)));
        bool warned = false;
        for (const auto& w : c.warnings)
            warned = warned || w.find("the machine was busy") != std::string::npos;
        QVERIFY(warned);
        const auto j = toJson(c);
        QVERIFY(j["load"]["other_processes_cores"].get<double>() > 0.5);
        QCOMPARE(j["protocol"]["rounds"].get<int>(), 3);
    }

    void cancelBetweenRounds()
    {
        CancelToken cancel;
        int calls = 0;
        ComparisonProtocol p;
        p.rounds = 100;
        QVERIFY_THROWS_EXCEPTION(Cancelled, compareLatency(
                                                {"a", "b"},
                                                [&](size_t, int) {
                                                    if (++calls == 5) cancel.cancel();
                                                    return std::vector<double>{1.0};
                                                },
                                                p, &cancel));
        QCOMPARE(calls, 5);
    }

    void ratiosInTablesAndCsv()
    {
        ModelResult r;
        r.model = "original-fp32";
        LatencyReport l;
        l.median = 5.3;
        l.rounds = 10;
        l.intervalLow = 5.1;
        l.intervalHigh = 5.6;
        r.cpuLatency = l;
        r.latencyRatio = LatencyRatio{"original-fp32", "modified-fp32", 1.08, 0.97, 1.21};
        QCOMPARE(resultCell(ResultColumn::CpuLatencyInterval, r).text, std::string("[5.100, 5.600]"));
        QCOMPARE(resultCell(ResultColumn::LatencyRatio, r).text,
                 std::string("ORIGINAL / MODIFIED = 1.08x [0.97, 1.21] not resolved"));
        r.latencyRatio->intervalLow = 1.02;
        QCOMPARE(resultCell(ResultColumn::LatencyRatio, r).text,
                 std::string("ORIGINAL / MODIFIED = 1.08x [1.02, 1.21]"));
        const auto csv = toCsv({r});
        const auto header = csv.substr(0, csv.find("\r\n"));
        QVERIFY(header.find(
                    "cpu_latency_ci_low_ms,cpu_latency_ci_high_ms,cpu_latency_cv,latency_ratio,latency_ratio_ci_low,"
                    "latency_ratio_ci_high,latency_ratio_of,latency_ratio_resolved") != std::string::npos);
        QVERIFY(csv.find(",5.1,5.6,0,1.08,1.02,1.21,original-fp32 / modified-fp32,true") != std::string::npos);
        // the row's JSON carries both and reads back
        const auto back = modelResultFromJson(toJson(r));
        QVERIFY(back.latencyRatio.has_value());
        QCOMPARE(back.latencyRatio->intervalLow, 1.02);
        QCOMPARE(back.cpuLatency->rounds, 10);
        QCOMPARE(back.cpuLatency->intervalHigh, 5.6);
    }

    void filesComparedInterleaved()
    {
        // Real files: an FP32 checkpoint and its INT8 model, each loaded afresh every round.
        QTemporaryDir tmp;
        const fs::path dir = tmp.path().toStdString();
        torch::manual_seed(0);
        PhiNet model(testing::smallModel());
        CheckpointMeta meta;
        meta.model = model->config();
        saveCheckpoint(dir / "m.ckpt", model, meta);
        QuantConfig qc;
        qc.calibrationBatches = 1;
        quantizeWithRandomCalibration(model, qc, false).model.save(dir / "m.int8");
        ComparisonProtocol p;
        p.rounds = 3;
        p.runsPerRound = 4;
        p.warmup = 1;
        p.threads = 1;
        int built = 0;
        auto counting = [&](ForwardFactory f) {
            return ForwardFactory([f, &built] {
                ++built;
                return f();
            });
        };
        const auto c = compareForwards(
            {"fp32", "int8"},
            {counting(forwardFromFile(dir / "m.ckpt", 1)), counting(forwardFromFile(dir / "m.int8", 1))}, p);
        QCOMPARE(built, 6); // a fresh instance per model and round
        QCOMPARE(c.protocol.threads, 1);
        for (const auto& m : c.models) {
            QCOMPARE(m.roundMedians.size(), size_t(3));
            QCOMPARE(m.pooled.samples.size(), size_t(12));
            QVERIFY(m.median > 0);
            QVERIFY(m.intervalLow <= m.median && m.median <= m.intervalHigh);
        }
        const auto r = toReport(c.models[1], c.protocol);
        QCOMPARE(r.rounds, 3);
        QCOMPARE(r.protocol.runs, 4);
        QVERIFY(toJson(r).contains("interval95"));
        QCOMPARE(modelFileKind(dir / "m.ckpt"), ModelFileKind::Fp32);
        QCOMPARE(modelFileKind(dir / "m.int8"), ModelFileKind::Int8);
    }
};

QTEST_GUILESS_MAIN(TestLatency)
#include "tst_latency.moc"
