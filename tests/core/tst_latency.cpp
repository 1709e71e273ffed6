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
#include <cmath>
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
        // Order statistics: for 9 values the 95% interval is x(2)..x(8) (coverage 1 - 2 * 10/512 =
        // 96.1%; x(3)..x(7) would be 82%), for 10 values x(2)..x(9) (97.9%), for 20 x(6)..x(15) (95.9%).
        const auto m = medianWithInterval({9, 1, 8, 2, 7, 3, 6, 4, 5});
        QCOMPARE(m.median, 5.0);
        QCOMPARE(m.low, 2.0);
        QCOMPARE(m.high, 8.0);
        const auto ten = medianWithInterval({10, 1, 9, 2, 8, 3, 7, 4, 6, 5});
        QCOMPARE(ten.median, 5.5);
        QCOMPARE(ten.low, 2.0);
        QCOMPARE(ten.high, 9.0);
        std::vector<double> twenty;
        for (int i = 20; i >= 1; --i)
            twenty.push_back(i);
        const auto tw = medianWithInterval(twenty);
        QCOMPARE(tw.low, 6.0);
        QCOMPARE(tw.high, 15.0);
        // below 6 values no pair of order statistics reaches 95%: the range
        const auto five = medianWithInterval({3, 1, 2, 5, 4});
        QCOMPARE(five.low, 1.0);
        QCOMPARE(five.high, 5.0);
        // even count: mean of the middle two
        QCOMPARE(medianWithInterval({1, 2, 3, 10}).median, 2.5);
    }

    void intervalCoverage()
    {
        // Ten rounds from a skewed distribution (exponential, true median ln 2): the interval must
        // hold the true median in at least 95% of 4,000 seeded trials (97.9% expected).
        std::mt19937 gen(11);
        std::exponential_distribution<double> e(1.0);
        const double truth = std::log(2.0);
        int covered = 0;
        constexpr int kTrials = 4000;
        for (int t = 0; t < kTrials; ++t) {
            std::vector<double> v(10);
            for (auto& x : v)
                x = e(gen);
            const auto m = medianWithInterval(v);
            covered += m.low <= truth && truth <= m.high;
        }
        QVERIFY2(covered >= 0.95 * kTrials, qPrintable(QString::number(double(covered) / kTrials)));
    }

    void interleavedInTurn()
    {
        // Three forwards in turn from model 1, each one warm-up run and then its 2 timed runs.
        std::vector<int> calls;
        std::vector<std::function<void()>> forwards;
        for (int i = 0; i < 3; ++i)
            forwards.push_back([&calls, i] { calls.push_back(i); });
        const auto samples = measureInterleaved(forwards, 1, 2, 1);
        const std::vector<int> expected{1, 1, 1, 2, 2, 2, 0, 0, 0};
        QCOMPARE(calls, expected);
        QCOMPARE(samples.size(), size_t(3));
        for (const auto& s : samples)
            QCOMPARE(s.size(), size_t(2)); // warm-up runs are not timed
        // cancelled before a run: Cancelled, and no further run
        CancelToken stop;
        int ran = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled, measureInterleaved({[&] {
                                                                   if (++ran == 3) stop.cancel();
                                                               }},
                                                               1, 10, 0, &stop));
        QCOMPARE(ran, 3);

        // compareLatency runs the rounds in order and keeps each model's samples apart
        std::vector<int> rounds;
        ComparisonProtocol p;
        p.rounds = 4;
        auto c = compareLatency(
            {"a", "b", "c"},
            [&](int r) {
                rounds.push_back(r);
                return std::vector<std::vector<double>>{{1.0}, {2.0}, {3.0}};
            },
            p);
        QCOMPARE(rounds, (std::vector<int>{0, 1, 2, 3}));
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
        // a round that returns the wrong number of models is an error, not a silent misalignment
        QVERIFY_THROWS_EXCEPTION(std::logic_error,
                                 compareLatency(
                                     {"a", "b"}, [](int) { return std::vector<std::vector<double>>{{1.0}}; }, p));
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
        auto run = [&](double base, int r) {
            std::vector<double> s;
            const double drift = 1.0 + 0.5 * (r % 3); // up to 2x between rounds
            for (int k = 0; k < p.runsPerRound; ++k)
                s.push_back(base * drift * noise(gen));
            return s;
        };
        auto c = compareLatency(
            {"slow", "fast"},
            [&](int r) {
                return std::vector<std::vector<double>>{run(2.0, r), run(1.0, r)};
            },
            p);
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
            {"x", "y"},
            [&](int r) {
                return std::vector<std::vector<double>>{run(2.0, r), run(2.0, r)};
            },
            p);
        QVERIFY2(
            same.ratios[0].intervalLow <= 1.0 && same.ratios[0].intervalHigh >= 1.0,
            qPrintable(QStringLiteral("[%1, %2]").arg(same.ratios[0].intervalLow).arg(same.ratios[0].intervalHigh)));
        QVERIFY(!same.ratios[0].resolved());
        QVERIFY(formatComparison(same).find("not resolved") != std::string::npos);
        // a steady model: narrow interval, no warning about it
        auto steady = compareLatency(
            {"s"}, [&](int) { return std::vector<std::vector<double>>{std::vector<double>(10, 3.0)}; }, p);
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
            [](int) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return std::vector<std::vector<double>>{{300.0}};
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
                                                [&](int) {
                                                    if (++calls == 5) cancel.cancel();
                                                    return std::vector<std::vector<double>>{{1.0}, {1.0}};
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
