// Cancellation of the long core steps (IDX and CIFAR decoding, data loading, latency runs) and the
// data import: atomic swap, the old copy kept on a failure or cancel, refused during a run, leftovers
// of a killed import cleaned; the bundled-subset fallback is announced.
#include "phinet/bench/ModelBench.h"
#include "phinet/common/Cancel.h"
#include "phinet/common/Error.h"
#include "phinet/common/Log.h"
#include "phinet/common/Paths.h"
#include "phinet/data/DataPreview.h"
#include "phinet/data/Dataset.h"
#include "phinet/quant/Quantizer.h"

#include <spdlog/sinks/ringbuffer_sink.h>

#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

const fs::path kBundled = fs::path(PHINET_SOURCE_DIR) / "resources" / "data" / "mnist-subset";

void writeMnist(const fs::path& dir, int n)
{
    fs::create_directories(dir);
    auto img = torch::randint(0, 256, {n, 28, 28}, torch::kUInt8);
    auto lbl = torch::arange(n, torch::kLong).remainder(10).to(torch::kUInt8);
    for (const char* split : {"train", "t10k"}) {
        writeIdx(dir / (std::string(split) + "-images-idx3-ubyte.gz"), img);
        writeIdx(dir / (std::string(split) + "-labels-idx1-ubyte.gz"), lbl);
    }
}

void writeCifar(const fs::path& dir, int recordsPerBatch)
{
    fs::create_directories(dir);
    std::vector<char> bytes(std::size_t(recordsPerBatch) * 3073, char(7));
    for (int r = 0; r < recordsPerBatch; ++r)
        bytes[std::size_t(r) * 3073] = char(r % 10);
    for (const std::string name :
         {"data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4", "data_batch_5", "test_batch"})
        std::ofstream(dir / (name + ".bin"), std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
}

/// Every regular file under `dir` with its size (what "a complete copy" is compared by).
std::map<std::string, std::uintmax_t> listing(const fs::path& dir)
{
    std::map<std::string, std::uintmax_t> out;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = e.file_size();
    return out;
}

/// Names in the data folder that an import leaves while it works (it must leave none).
QStringList leftovers(const fs::path& target)
{
    QStringList out;
    for (const auto& e : fs::directory_iterator(target.parent_path())) {
        const auto name = e.path().filename().string();
        if (name.rfind("." + target.filename().string() + ".", 0) == 0) out << QString::fromStdString(name);
    }
    return out;
}

template <typename F> bool throwsCancelled(F&& f)
{
    try {
        f();
    } catch (const Cancelled&) {
        return true;
    }
    return false;
}

} // namespace

class TestCancel : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

    fs::path tmp(const char* name) const { return fs::path(tmp_.path().toStdString()) / name; }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(tmp_.isValid());
        fs::remove_all(userDataDir() / "data");
        clearDataCache();
    }

    void readersStopWhenCancelled()
    {
        writeMnist(tmp("mnist"), 500);
        writeCifar(tmp("cifar"), 20);
        CancelToken cancel;
        cancel.cancel();
        QVERIFY(
            throwsCancelled([&] { readIdx(tmp("mnist") / "train-images-idx3-ubyte.gz", kMaxDatasetBytes, &cancel); }));
        QVERIFY(throwsCancelled([&] { loadIdxFolder(tmp("mnist"), Split::Train, &cancel); }));
        QVERIFY(throwsCancelled([&] { loadCifar10Binary(tmp("cifar"), Split::Train, &cancel); }));
        // loadData hands its token to the readers (it used to read IDX and CIFAR folders to the end)
        for (auto [kind, dir] :
             {std::pair{DatasetKind::Mnist, tmp("mnist")}, std::pair{DatasetKind::Cifar10, tmp("cifar")}}) {
            clearDataCache();
            DataConfig c;
            c.kind = kind;
            c.dataDir = dir.string();
            QVERIFY2(throwsCancelled([&] { loadData(c, &cancel); }), toString(kind).c_str());
            QVERIFY(throwsCancelled([&] { previewData(c, 4, 1, &cancel); }));
            // and the same folders load when nobody cancels
            CancelToken idle;
            QCOMPARE(loadData(c, &idle).train->size(), std::int64_t(kind == DatasetKind::Mnist ? 500 : 100));
        }
    }

    void latencyStopsBetweenRuns()
    {
        // the harness polls before every warm-up and timed run
        CancelToken cancel;
        int calls = 0;
        LatencyProtocol p;
        p.warmup = 5;
        p.runs = 1000000;
        QVERIFY(throwsCancelled([&] {
            measureLatency(
                [&] {
                    if (++calls == 3) cancel.cancel();
                },
                p, {}, &cancel);
        }));
        QCOMPARE(calls, 3);
        calls = 0;
        cancel.reset();
        p.warmup = 0;
        QVERIFY(throwsCancelled([&] {
            measureLatency(
                [&] {
                    if (++calls == 7) cancel.cancel();
                },
                p, {}, &cancel);
        }));
        QCOMPARE(calls, 7);

        // FP32 and INT8 model latency with a protocol of minutes: a cancel from another thread ends it
        PhiNetConfig m;
        m.input = {1, 28, 28};
        m.numClasses = 10;
        m.alpha = 0.25;
        m.numLayers = 4;
        m.downsamplingLayers = PhiNetConfig::defaultDownsampling(m.numLayers);
        torch::manual_seed(0);
        PhiNet net(m);
        QuantConfig qc;
        qc.calibrationBatches = 1;
        qc.threads = 1;
        auto q = quantizeWithRandomCalibration(net, qc, false);
        LatencyProtocol lp;
        lp.threads = 1;
        lp.warmup = 0;
        lp.runs = 100000000;
        for (int which = 0; which < 2; ++which) {
            CancelToken token;
            std::thread canceller([&] {
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
                token.cancel();
            });
            QElapsedTimer t;
            t.start();
            const bool stopped = throwsCancelled([&] {
                if (which == 0)
                    fp32CpuLatency(net, lp, &token);
                else
                    int8CpuLatency(q.model, lp, &token);
            });
            const auto ms = t.elapsed();
            canceller.join();
            QVERIFY(stopped);
            qInfo("%s latency stopped %lld ms after start (cancelled at 200 ms)", which ? "INT8" : "FP32", ms);
            QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
        }
    }

    void fallbackToTheBundledSubsetIsAnnounced()
    {
        auto ring = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
        ring->set_level(spdlog::level::warn);
        addLogSink(ring);
        const auto user = userDataDir() / "data" / "mnist";
        for (bool exists : {false, true}) { // no folder, and an empty one (a failed swap used to leave that)
            fs::remove_all(user);
            if (exists) fs::create_directories(user);
            clearDataCache();
            QCOMPARE(resolveDataDir(DataConfig{}), kBundled);
            QCOMPARE(bundledFallbackFrom(DataConfig{}), user);
            const auto info = loadData(DataConfig{}).info();
            QCOMPARE(info.fallbackFrom, user.string());
            QCOMPARE(QString::fromStdString(fallbackNote(info)),
                     QStringLiteral("bundled subset used because %1 has no data")
                         .arg(QString::fromStdString(user.string())));
            bool logged = false;
            for (const auto& line : ring->last_formatted())
                logged = logged || (line.find(user.string()) != std::string::npos &&
                                    line.find(kBundled.string()) != std::string::npos);
            QVERIFY2(logged, "no warning naming the missing folder and the bundled subset");
        }
        // a folder given explicitly is not a fallback, and neither is the imported copy
        DataConfig given;
        given.dataDir = kBundled.string();
        QVERIFY(loadData(given).info().fallbackFrom.empty());
        fs::remove_all(user);
        importDataset(DatasetKind::Mnist, kBundled);
        QVERIFY(bundledFallbackFrom(DataConfig{}).empty());
        QCOMPARE(resolveDataDir(DataConfig{}), user);
        QVERIFY(loadData(DataConfig{}).info().fallbackFrom.empty());
        fs::remove_all(user);
    }

    void importKeepsTheOldCopyOnFailure()
    {
        const auto target = importTarget(DatasetKind::Mnist);
        fs::remove_all(target);
        // the old copy: 500 images; the new: the bundled subset
        writeMnist(tmp("old"), 500);
        QCOMPARE(importDataset(DatasetKind::Mnist, tmp("old")), target);
        const auto old = listing(target);
        QCOMPARE(old, listing(tmp("old")));
        QVERIFY(leftovers(target).isEmpty());

        // a source that loads but fails half-way through the copy (a dangling link among its files)
        fs::copy(kBundled, tmp("bad"), fs::copy_options::recursive);
        fs::create_symlink(tmp("no-such-file"), tmp("bad") / "zz-dangling");
        bool failed = false;
        try {
            importDataset(DatasetKind::Mnist, tmp("bad"));
        } catch (const DataError& e) {
            failed = true;
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("previous copy is kept")), e.what());
        }
        QVERIFY(failed);
        QCOMPARE(listing(target), old);
        QVERIFY2(leftovers(target).isEmpty(), qPrintable(leftovers(target).join(QLatin1Char(' '))));

        // cancelled: the old copy stays (the cancel used to be ignored past the check, and the copy swapped in)
        CancelToken cancel;
        cancel.cancel();
        QVERIFY(throwsCancelled([&] { importDataset(DatasetKind::Mnist, kBundled, &cancel); }));
        QCOMPARE(listing(target), old);
        QVERIFY(leftovers(target).isEmpty());

        // refused while a run is in progress
        {
            const RunInProgress running;
            bool refused = false;
            try {
                importDataset(DatasetKind::Mnist, kBundled);
            } catch (const ConfigError& e) {
                refused = QString::fromUtf8(e.what()).contains(QStringLiteral("run is in progress"));
            }
            QVERIFY(refused);
            QCOMPARE(listing(target), old);
        }
        QVERIFY(!RunInProgress::active());

        // a good import replaces the copy as a whole
        importDataset(DatasetKind::Mnist, kBundled);
        QCOMPARE(listing(target), listing(kBundled));
        QVERIFY(leftovers(target).isEmpty());
        clearDataCache();
        QCOMPARE(loadData(DataConfig{}).train->size(), loadData([] {
                                                           DataConfig c;
                                                           c.dataDir = kBundled.string();
                                                           return c;
                                                       }())
                                                           .train->size());
    }

    void importRepairsWhatAKilledImportLeft()
    {
        // a kill between the two renames of the fallback swap leaves the old copy aside and no target;
        // a kill during the copy leaves a temporary copy: the next import (even a failing one) repairs both
        const auto target = importTarget(DatasetKind::Mnist);
        fs::remove_all(target);
        const auto parent = target.parent_path();
        fs::create_directories(parent);
        const auto aside = parent / ".mnist.old-999999";
        const auto partial = parent / ".mnist.import-999998";
        fs::remove_all(aside);
        fs::copy(kBundled, aside, fs::copy_options::recursive);
        fs::create_directories(partial);
        std::ofstream(partial / "train-images-idx3-ubyte.gz") << "half";
        fs::create_directories(tmp("empty"));
        QVERIFY_THROWS_EXCEPTION(Error, importDataset(DatasetKind::Mnist, tmp("empty")));
        QVERIFY(fs::exists(target));
        QCOMPARE(listing(target), listing(kBundled));
        QVERIFY2(leftovers(target).isEmpty(), qPrintable(leftovers(target).join(QLatin1Char(' '))));
        fs::remove_all(target);
    }
};

QTEST_GUILESS_MAIN(TestCancel)
#include "tst_cancel.moc"
