// MCU targets, the fit verdict and the fit search. Torch-free: no tensors are built.
// Expectations are hand-computed (see the comments) or found by brute force over the grid here, never
// by asking the code under test.
#include "phinet/common/Error.h"
#include "phinet/experiment/Experiment.h"
#include "phinet/model/LayerTable.h"
#include "phinet/model/McuTarget.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <fstream>

using namespace phinet;

namespace {

constexpr std::int64_t KB = 1024;

McuTarget board(const std::string& name, std::int64_t flashKb, std::int64_t ramKb)
{
    McuTarget t;
    t.name = name;
    t.mcu = name;
    t.flashBytes = flashKb * KB;
    t.ramBytes = ramKb * KB;
    t.source = "test";
    return t;
}

/// A grid point built here, independently of the search's own config builder.
PhiNetConfig modified(std::array<int, 3> input, double alpha, int blocks, double beta = 0.75, double t0 = 6.0,
                      int classes = 10)
{
    PhiNetConfig c;
    c.input = input;
    c.alpha = alpha;
    c.beta = beta;
    c.t0 = t0;
    c.numLayers = blocks;
    c.numClasses = classes;
    c.variant = Variant::Modified;
    c.divisor = 8;
    c.downsamplingLayers = blocks >= 7   ? std::vector<int>{5, 7}
                           : blocks >= 5 ? std::vector<int>{5}
                                         : std::vector<int>{};
    return c;
}

bool fitsInt8(const ModelSummary& s, const McuTarget& t, std::int64_t reserveRam, std::int64_t reserveFlash)
{
    return s.peakRamBytesInt8 <= t.ramBytes - reserveRam && s.flashBytesInt8 <= t.flashBytes - reserveFlash;
}

void writeFile(const QString& path, const char* text)
{
    std::ofstream(path.toStdString()) << text;
}

} // namespace

class TestFit : public QObject {
    Q_OBJECT
    QTemporaryDir home_;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(home_.isValid());
        qputenv("PHINET_DATA_HOME", home_.path().toUtf8()); // no user targets file unless a test writes one
    }

    // The bundled boards carry their datasheet sizes (KB = 1024 bytes) and a source.
    void bundledTargets()
    {
        const auto targets = listTargets();
        struct Expect {
            const char* name;
            std::int64_t flashKb, ramKb;
        };
        for (const Expect& e :
             {Expect{"nucleo-f401re", 512, 96}, Expect{"stm32f746g-disco", 1024, 320}, Expect{"stm32h743", 2048, 1024},
              Expect{"nano33-ble-sense", 1024, 256}, Expect{"rpi-pico", 2048, 264}}) {
            const auto t = findTarget(targets, e.name);
            QCOMPARE(t.flashBytes, e.flashKb * 1024);
            QCOMPARE(t.ramBytes, e.ramKb * 1024);
            QVERIFY(!t.source.empty());
            QVERIFY(!t.mcu.empty());
        }
        QCOMPARE(findTarget(targets, "STM32F746G_DISCO").name, std::string("stm32f746g-disco"));
        try {
            findTarget(targets, "esp32");
            QFAIL("an unknown target was accepted");
        } catch (const ConfigError& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QStringLiteral("esp32")) && m.contains(QStringLiteral("nucleo-f401re")) &&
                         m.contains(QStringLiteral("rpi-pico")),
                     e.what());
        }
    }

    // A file with a bad entry is refused, naming the file and the entry.
    void badTargetsFile_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("expected");
        QTest::newRow("negative ram")
            << R"({"targets": [{"name": "ok", "mcu": "m", "flash_kb": 1, "ram_kb": 1, "source": "s"},
            {"name": "tiny", "mcu": "m", "flash_kb": 64, "ram_kb": -8, "source": "s"}]})"
            << R"(targets[1] "tiny": ram_kb)";
        QTest::newRow("flash as text")
            << R"({"targets": [{"name": "b", "mcu": "m", "flash_kb": "1M", "ram_kb": 8, "source": "s"}]})"
            << R"(targets[0] "b": flash_kb)";
        QTest::newRow("no name") << R"({"targets": [{"mcu": "m", "flash_kb": 1, "ram_kb": 1, "source": "s"}]})"
                                 << "targets[0]: name: missing";
        QTest::newRow("no source") << R"({"targets": [{"name": "b", "mcu": "m", "flash_kb": 1, "ram_kb": 1}]})"
                                   << R"(targets[0] "b": source: missing)";
        QTest::newRow("twice") << R"({"targets": [{"name": "b", "mcu": "m", "flash_kb": 1, "ram_kb": 1, "source": "s"},
            {"name": "b", "mcu": "m", "flash_kb": 2, "ram_kb": 2, "source": "s"}]})"
                               << R"(targets[1] "b": name: "b" appears twice)";
        QTest::newRow("unknown field")
            << R"({"targets": [{"name": "b", "mcu": "m", "flash_kb": 1, "ram_kb": 1, "source": "s", "sram": 3}]})"
            << R"(targets[0] "b": unknown field "sram")";
        QTest::newRow("no list") << R"({"boards": []})"
                                 << R"("targets" list)";
        QTest::newRow("not json") << R"({"targets": [)"
                                  << "not valid JSON";
    }
    void badTargetsFile()
    {
        QFETCH(QString, text);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("my-boards.json"));
        writeFile(path, text.toUtf8().constData());
        try {
            loadTargetsFile(path.toStdString());
            QFAIL("a bad targets file was accepted");
        } catch (const ConfigError& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.startsWith(path), e.what());
            QVERIFY2(m.contains(expected), e.what());
        }
    }

    // <data home>/targets.json adds boards and replaces bundled ones of the same name; a bad entry
    // there stops listTargets() naming that file.
    void userTargetsExtendAndOverride()
    {
        const QString user = home_.filePath(QStringLiteral("targets.json"));
        writeFile(user, R"({"targets": [
            {"name": "my-board", "mcu": "custom", "flash_kb": 256, "ram_kb": 48.5, "source": "my notes"},
            {"name": "rpi-pico", "mcu": "RP2040", "flash_kb": 16384, "ram_kb": 264, "source": "16 MB flash variant"}]})");
        const auto targets = listTargets();
        QCOMPARE(findTarget(targets, "my-board").ramBytes, std::int64_t(48.5 * 1024));
        QCOMPARE(findTarget(targets, "rpi-pico").flashBytes, 16384 * KB);
        QCOMPARE(findTarget(targets, "nucleo-f401re").ramBytes, 96 * KB); // the others stay
        writeFile(user, R"({"targets": [{"name": "broken", "mcu": "x", "flash_kb": 0, "ram_kb": 8, "source": "s"}]})");
        try {
            listTargets();
            QFAIL("a bad user targets file was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(user + QStringLiteral(": targets[0] \"broken\": flash_kb")),
                     e.what());
        }
        QFile::remove(user);
    }

    // The verdict on hand-made figures: budget = board - reserve, margin = budget - need, "fits" at equality.
    void verdictHandComputed_data()
    {
        QTest::addColumn<qint64>("ramInt8");
        QTest::addColumn<qint64>("flashInt8");
        QTest::addColumn<qint64>("reserveRamKb");
        QTest::addColumn<qint64>("reserveFlashKb");
        QTest::addColumn<bool>("int8Fits");
        QTest::addColumn<qint64>("int8RamMargin");
        QTest::addColumn<qint64>("int8FlashMargin");
        QTest::addColumn<QString>("int8Text");
        QTest::addColumn<QString>("fp32Text");
        // board: 512 KB flash, 96 KB RAM. FP32 needs 4x the INT8 RAM, 3x the INT8 flash here.
        // 40 KB RAM, 100 KB flash, no reserve: INT8 56 KB and 412 KB spare; FP32 160 KB RAM (64 over), 300 KB flash.
        QTest::newRow("fits") << qint64(40 * KB) << qint64(100 * KB) << qint64(0) << qint64(0) << true
                              << qint64(56 * KB) << qint64(412 * KB) << "fits: RAM 56.0 KB spare, flash 412.0 KB spare"
                              << "does not fit: RAM over by 64.0 KB at block3/expand; flash 212.0 KB spare";
        // exactly the budget fits: 96 KB - 32 KB reserve = 64 KB
        QTest::newRow("equal") << qint64(64 * KB) << qint64(100 * KB) << qint64(32) << qint64(128) << true << qint64(0)
                               << qint64(284 * KB) << "fits: RAM 0.0 KB spare, flash 284.0 KB spare"
                               << "does not fit: RAM over by 192.0 KB at block3/expand; flash 84.0 KB spare";
        // 100 KB RAM against 96: over by 4 KB; 1.5 KB more than the budget is "over by 1.5 KB"
        QTest::newRow("ram over") << qint64(100 * KB) << qint64(10 * KB) << qint64(0) << qint64(0) << false
                                  << qint64(-4 * KB) << qint64(502 * KB)
                                  << "does not fit: RAM over by 4.0 KB at block3/expand; flash 502.0 KB spare"
                                  << "does not fit: RAM over by 304.0 KB at block3/expand; flash 482.0 KB spare";
        QTest::newRow("flash over") << qint64(10 * KB) << qint64(400 * KB + 1536) << qint64(8) << qint64(112) << false
                                    << qint64(78 * KB) << qint64(-1536)
                                    << "does not fit: flash over by 1.5 KB; RAM 78.0 KB spare"
                                    << "does not fit: flash over by 804.5 KB; RAM 48.0 KB spare";
        QTest::newRow("both over") << qint64(97 * KB) << qint64(513 * KB) << qint64(0) << qint64(0) << false
                                   << qint64(-1 * KB) << qint64(-1 * KB)
                                   << "does not fit: RAM over by 1.0 KB at block3/expand; flash over by 1.0 KB"
                                   << "does not fit: RAM over by 292.0 KB at block3/expand; flash over by 1027.0 KB";
    }
    void verdictHandComputed()
    {
        QFETCH(qint64, ramInt8);
        QFETCH(qint64, flashInt8);
        QFETCH(qint64, reserveRamKb);
        QFETCH(qint64, reserveFlashKb);
        QFETCH(bool, int8Fits);
        QFETCH(qint64, int8RamMargin);
        QFETCH(qint64, int8FlashMargin);
        QFETCH(QString, int8Text);
        QFETCH(QString, fp32Text);
        ModelSummary s;
        s.peakRamBytesInt8 = ramInt8;
        s.peakRamBytesFp32 = 4 * ramInt8;
        s.flashBytesInt8 = flashInt8;
        s.flashBytesFp32 = 3 * flashInt8;
        s.peakRamAt = "block3/expand";
        McuReserve reserve;
        reserve.ramBytes = reserveRamKb * KB;
        reserve.flashBytes = reserveFlashKb * KB;
        const auto v = checkFit(s, board("nucleo", 512, 96), reserve);
        QCOMPARE(v.int8.fits(), int8Fits);
        QCOMPARE(v.int8.ramMarginBytes(), int8RamMargin);
        QCOMPARE(v.int8.flashMarginBytes(), int8FlashMargin);
        QCOMPARE(v.int8.ramBudgetBytes, (96 - reserveRamKb) * KB);
        QCOMPARE(v.fp32.flashBudgetBytes, (512 - reserveFlashKb) * KB);
        QCOMPARE(QString::fromStdString(describeFit(v.int8)), int8Text);
        QCOMPARE(QString::fromStdString(describeFit(v.fp32)), fp32Text);
    }

    // The verdict on a real network, its peak RAM worked out by hand from the layer table's rules.
    // MODIFIED, alpha 0.1, N = 4, input 3x96x96, divisor 8: stem and block0 widths make_divisible(4, 8) = 8;
    // stem output 8x48x48 (ZeroPad (0,1,0,1), stride 2). block1: t = 4.5/4 + 6*3/4 = 5.625, expanded
    // make_divisible(int(45), 8) = 48; expand output 48x48x48 = 110,592, depthwise (stride 2, pad 1) output
    // 48x24x24 = 27,648: while the depthwise runs 138,240 elements are live, the largest sum of the network
    // (the stem's is 27,648 + 6,912; block0's projection 3 x 18,432 = 55,296). INT8: 138,240 B = 135 KB.
    void verdictOnRealNetwork()
    {
        const auto s = summarize(modified({3, 96, 96}, 0.1, 4));
        QCOMPARE(s.peakRamBytesInt8, std::int64_t(138240));
        QCOMPARE(s.peakRamAt, std::string("block1/depthwise"));
        McuReserve none;
        none.ramBytes = none.flashBytes = 0;
        const auto v = checkFit(s, board("nucleo-f401re", 512, 96), none);
        QVERIFY(!v.int8.fits());
        QCOMPARE(v.int8.ramMarginBytes(), std::int64_t(98304 - 138240)); // 39 KB over
        QVERIFY(v.int8.flashFits());
        QVERIFY2(QString::fromStdString(describeFit(v.int8))
                     .startsWith(QStringLiteral("does not fit: RAM over by 39.0 KB at block1/depthwise; flash ")),
                 describeFit(v.int8).c_str());
        QCOMPARE(v.fp32.ramBytes, std::int64_t(4 * 138240));
        // the default reserve (32 KB RAM, 128 KB flash) is taken off: 96 - 32 = 64 KB of RAM
        const auto d = checkFit(s, board("nucleo-f401re", 512, 96));
        QCOMPARE(d.int8.ramBudgetBytes, std::int64_t(64 * KB));
        QCOMPARE(d.int8.flashBudgetBytes, std::int64_t(384 * KB));
    }

    // The search's answer fits and no point of the grid with more MACs fits (brute force over the grid).
    void searchIsMaximal_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<int>("flashKb");
        QTest::addColumn<int>("ramKb");
        QTest::addColumn<int>("h");
        QTest::addColumn<qint64>("maxMacs");
        QTest::newRow("f746 32x32") << "f746" << 1024 << 320 << 32 << qint64(-1);
        QTest::newRow("f401 32x32") << "f401" << 512 << 96 << 32 << qint64(-1);
        QTest::newRow("f401 28x28 ceiling") << "f401" << 512 << 96 << 28 << qint64(5000000);
        QTest::newRow("tight flash") << "small" << 150 << 512 << 32 << qint64(-1);
        QTest::newRow("h743 64x64") << "h743" << 2048 << 1024 << 64 << qint64(-1);
    }
    void searchIsMaximal()
    {
        QFETCH(QString, target);
        QFETCH(int, flashKb);
        QFETCH(int, ramKb);
        QFETCH(int, h);
        QFETCH(qint64, maxMacs);
        FitRequest r;
        r.input = {3, h, h};
        r.target = board(target.toStdString(), flashKb, ramKb);
        r.reserve.ramBytes = 16 * KB;
        r.reserve.flashBytes = 32 * KB;
        if (maxMacs > 0) r.maxMacs = maxMacs;
        r.grid.alphaFromCenti = 10;
        r.grid.alphaToCenti = 300;
        r.grid.alphaStepCenti = 10;
        r.grid.blocks = {4, 5, 7};
        r.grid.betas = {0.5, 1.0};
        r.grid.t0s = {4, 6};
        const auto res = findLargestFit(r);
        QCOMPARE(res.evaluated, 30 * 3 * 2 * 2);

        std::int64_t bestMacs = -1;
        int fitting = 0;
        for (int a = 10; a <= 300; a += 10)
            for (int n : {4, 5, 7})
                for (double b : {0.5, 1.0})
                    for (double t : {4.0, 6.0}) {
                        const auto s = summarize(modified(r.input, a / 100.0, n, b, t));
                        if (fitsInt8(s, r.target, 16 * KB, 32 * KB) && (maxMacs < 0 || s.macs <= maxMacs)) {
                            ++fitting;
                            bestMacs = std::max(bestMacs, s.macs);
                        }
                    }
        QVERIFY2(fitting > 0 && fitting < 360, "the case should be neither all nor nothing");
        QVERIFY(res.best);
        QCOMPARE(res.best->summary.macs, bestMacs);
        const auto check = summarize(res.best->config);
        QVERIFY(fitsInt8(check, r.target, 16 * KB, 32 * KB));
        if (maxMacs > 0) QVERIFY(check.macs <= maxMacs);
        QVERIFY(res.best->config.variant == Variant::Modified);
        QCOMPARE(res.best->config.divisor, 8);
        QVERIFY(!res.smallest);
    }

    // The issue's case: stm32f746g-disco, 3x96x96, no reserve: the whole default grid (alpha 0.10..5.00
    // step 0.05, N 4..10) checked by brute force.
    void doneWhenF746()
    {
        FitRequest r;
        r.input = {3, 96, 96};
        r.target = findTarget(listTargets(), "stm32f746g-disco");
        r.reserve.ramBytes = r.reserve.flashBytes = 0;
        const auto res = findLargestFit(r);
        QCOMPARE(res.evaluated, 99 * 7);
        QVERIFY(res.best);
        std::int64_t bestMacs = -1;
        for (int a = 10; a <= 500; a += 5)
            for (int n = 4; n <= 10; ++n) {
                const auto s = summarize(modified({3, 96, 96}, a / 100.0, n));
                if (fitsInt8(s, r.target, 0, 0)) bestMacs = std::max(bestMacs, s.macs);
            }
        QCOMPARE(res.best->summary.macs, bestMacs);
        QVERIFY(res.best->summary.peakRamBytesInt8 <= 320 * KB);
        QVERIFY(res.best->summary.flashBytesInt8 <= 1024 * KB);
        QVERIFY(res.seconds < 5.0);
        qInfo("f746 3x96x96: alpha %.2f N %d, %lld MACs, INT8 peak RAM %lld B, flash %lld B, %.3f s",
              res.best->config.alpha, res.best->config.numLayers, (long long)res.best->summary.macs,
              (long long)res.best->summary.peakRamBytesInt8, (long long)res.best->summary.flashBytesInt8, res.seconds);
    }

    // Nothing fits nucleo-f401re at 3x96x96: the answer is the smallest network (alpha 0.1, N 4, hand-checked
    // above: 39 KB over) and the largest square input at which it fits (brute force over H).
    void nothingFits()
    {
        FitRequest r;
        r.input = {3, 96, 96};
        r.target = findTarget(listTargets(), "nucleo-f401re");
        r.reserve.ramBytes = r.reserve.flashBytes = 0;
        const auto res = findLargestFit(r);
        QVERIFY(!res.best);
        QVERIFY(res.smallest);
        QCOMPARE(res.smallest->config.alpha, 0.1);
        QCOMPARE(res.smallest->config.numLayers, 4);
        QCOMPARE(res.smallest->verdict.int8.ramMarginBytes(), std::int64_t(-39 * KB));
        // no grid point has fewer MACs
        for (int a = 10; a <= 500; a += 5)
            for (int n = 4; n <= 10; ++n)
                QVERIFY(summarize(modified({3, 96, 96}, a / 100.0, n)).macs >= res.smallest->summary.macs);
        QVERIFY(res.fittingInput);
        const int fitH = (*res.fittingInput)[1];
        QCOMPARE((*res.fittingInput)[0], 3);
        QCOMPARE((*res.fittingInput)[2], fitH);
        QVERIFY(fitsInt8(summarize(modified({3, fitH, fitH}, 0.1, 4)), r.target, 0, 0));
        for (int h = fitH + 1; h <= 96; ++h)
            QVERIFY2(!fitsInt8(summarize(modified({3, h, h}, 0.1, 4)), r.target, 0, 0), qPrintable(QString::number(h)));
        qInfo("f401 3x96x96: nothing fits; smallest over by %lld B; fits at %dx%d",
              (long long)-res.smallest->verdict.int8.ramMarginBytes(), fitH, fitH);
    }

    void badRequests()
    {
        FitRequest r;
        r.target = board("b", 512, 96);
        r.reserve.ramBytes = 96 * KB;
        QVERIFY_THROWS_EXCEPTION(ConfigError, findLargestFit(r));
        r.reserve.ramBytes = 0;
        r.input = {3, 4, 4};
        QVERIFY_THROWS_EXCEPTION(ConfigError, findLargestFit(r));
        r.input = {3, 32, 32};
        r.grid.blocks.clear();
        QVERIFY_THROWS_EXCEPTION(ConfigError, findLargestFit(r));
    }

    // A params-only sweep with a target writes a fits_<target> column whose values follow the budget.
    void sweepCsvHasFitColumn()
    {
        SweepConfig c;
        c.name = "fit-sweep";
        c.knob = "alpha";
        c.values = {0.25, 1.0, 3.0};
        c.base = modified({3, 64, 64}, 1.0, 7);
        c.variants = {Variant::Modified};
        c.measureLatency = c.measureInt8 = false;
        c.target = "nucleo-f401re";
        c.reserve.ramBytes = 0;
        c.reserve.flashBytes = 0;
        QTemporaryDir out;
        const auto res = runSweep(c, out.filePath(QStringLiteral("sweep")).toStdString());
        QFile f(QString::fromStdString(res.csvPath.string()));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const auto lines = QString::fromUtf8(f.readAll()).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 4);
        const auto header = lines[0].split(QLatin1Char(','));
        QCOMPARE(header.last(), QStringLiteral("fits_nucleo-f401re"));
        const auto target = findTarget(listTargets(), "nucleo-f401re");
        int yes = 0;
        for (int i = 0; i < 3; ++i) {
            const auto s = summarize(modified({3, 64, 64}, c.values[size_t(i)], 7));
            const bool fits = fitsInt8(s, target, 0, 0);
            yes += fits;
            QCOMPARE(lines[i + 1].split(QLatin1Char(',')).last(),
                     fits ? QStringLiteral("true") : QStringLiteral("false"));
        }
        QVERIFY2(yes > 0 && yes < 3, "the sweep should cross the budget");
        // a sweep without a target has no such column
        c.target.clear();
        const auto plain = runSweep(c, out.filePath(QStringLiteral("plain")).toStdString());
        QFile g(QString::fromStdString(plain.csvPath.string()));
        QVERIFY(g.open(QIODevice::ReadOnly));
        QVERIFY(!g.readLine().contains("fits_"));
        // an unknown target stops the sweep before it starts, naming the known ones
        c.target = "no-such-board";
        try {
            runSweep(c, out.filePath(QStringLiteral("bad")).toStdString());
            QFAIL("an unknown target was accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("stm32h743")), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestFit)
#include "tst_fit.moc"
