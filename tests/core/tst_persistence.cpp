// Persistence: atomic writes on a full disk, bounded JSON reads, presets that cannot break the list
// or escape their folder, the run-folder lock, damaged run state, and the run store's statuses.
#include "phinet/common/Error.h"
#include "phinet/common/Files.h"
#include "phinet/experiment/Experiment.h"
#include "phinet/report/RunStore.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cerrno>
#include <cmath>
#include <fstream>
#include <limits>

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

std::string readAll(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void writeRaw(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

/// Files in `dir` other than `.lock` whose names look like temporaries (a leading '.', or ".tmp").
QStringList temporaries(const fs::path& dir)
{
    QStringList out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const auto n = e.path().filename().string();
        if (n != ".lock" && (n[0] == '.' || e.path().extension() == ".tmp")) out << QString::fromStdString(n);
    }
    return out;
}

/// Sets the write fault for one scope.
struct WriteFault {
    explicit WriteFault(std::function<int(const fs::path&)> f) { setWriteFaultForTesting(std::move(f)); }
    ~WriteFault() { setWriteFaultForTesting(nullptr); }
};

/// A study that only builds and reports: a real run folder, state and run-store row in milliseconds.
ExperimentConfig reportOnlyStudy()
{
    auto c = *findPreset("quick").study;
    c.name = "report-only";
    c.stages = {false, false, false, false, false};
    return c;
}

/// A small tmpfs (root only); unmounted by the destructor.
struct Tmpfs {
    fs::path dir;
    bool mounted = false;
    Tmpfs(const fs::path& d, const char* size) : dir(d)
    {
        fs::create_directories(dir);
        mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, (std::string("size=") + size).c_str()) == 0;
    }
    ~Tmpfs()
    {
        if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
    }
    /// Writes a filler file until the file system is full.
    void fill()
    {
        std::FILE* f = std::fopen((dir / "filler").c_str(), "wb");
        std::string block(4096, 'x');
        while (f && std::fwrite(block.data(), 1, block.size(), f) == block.size() && std::fflush(f) == 0) {
        }
        if (f) std::fclose(f);
    }
    void unfill() { fs::remove(dir / "filler"); }
};

} // namespace

class TestPersistence : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path dir(const std::string& n) const { return fs::path(tmp_.path().toStdString()) / n; }
    fs::path presetsDir() const { return dir("home") / "presets"; }

private Q_SLOTS:
    void initTestCase()
    {
        // own data folder: the user presets and the run store of this test only
        qputenv("PHINET_DATA_HOME", QByteArray::fromStdString(dir("home").string()));
    }

    // ---- writeFileAtomic ----

    void fullDiskKeepsThePreviousFile()
    {
        const auto f = dir("atomic/results.csv");
        writeFileAtomic(f, "old,complete\r\n");
        {
            WriteFault fault([](const fs::path&) { return ENOSPC; });
            try {
                writeFileAtomic(f, "new");
                QFAIL("a full disk was not reported");
            } catch (const DataError& e) {
                const QString m = QString::fromUtf8(e.what());
                QVERIFY2(m.contains(QString::fromStdString(f.string())), qPrintable(m));
                QVERIFY2(m.contains(QStringLiteral("No space left on device")), qPrintable(m));
            }
        }
        QCOMPARE(readAll(f), std::string("old,complete\r\n"));
        QCOMPARE(temporaries(f.parent_path()), QStringList());
        writeFileAtomic(f, "new");
        QCOMPARE(readAll(f), std::string("new"));
    }

    void atomicWriteKeepsPermissions()
    {
        const auto f = dir("atomic/private.json");
        writeFileAtomic(f, "{}");
        QCOMPARE(int(fs::status(f).permissions() & fs::perms::all), 0644);
        fs::permissions(f, fs::perms::owner_read | fs::perms::owner_write);
        writeFileAtomic(f, "{\"a\": 1}");
        QCOMPARE(int(fs::status(f).permissions() & fs::perms::all), 0600);
    }

    void staleTemporariesAreRemovedUnderTheLock()
    {
        const auto d = dir("stale");
        writeRaw(d / ".state.json.Ab12Cd", "{\"half");
        writeRaw(d / "original-fp32.ckpt.tmp", "half");
        writeRaw(d / "state.json", "{}");
        writeRaw(d / ".hidden", "mine");
        FolderLock lock(d);
        const auto removed = removeStaleTemporaries(d);
        QCOMPARE(int(removed.size()), 2);
        QVERIFY(!fs::exists(d / ".state.json.Ab12Cd") && !fs::exists(d / "original-fp32.ckpt.tmp"));
        QVERIFY(fs::exists(d / "state.json") && fs::exists(d / ".hidden") && fs::exists(d / ".lock"));
    }

    // ---- bounded JSON ----

    void hostileJsonIsAnErrorNotACrash_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("200000 deep") << (QByteArray("{\"alpha\": ") + QByteArray(200000, '[') +
                                         QByteArray(200000, ']') + "}")
                                     << QStringLiteral("deeper than");
        QTest::newRow("number past double") << QByteArray("{\"alpha\": 1e400}") << QStringLiteral("not valid JSON");
        QTest::newRow("cut off") << QByteArray("{\"alpha\": [1, 2") << QStringLiteral("not valid JSON");
    }
    void hostileJsonIsAnErrorNotACrash()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, says);
        const auto f = dir("hostile.json");
        writeRaw(f, text.toStdString());
        try {
            loadExperimentConfig(f);
            QFAIL("accepted");
        } catch (const ConfigError& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QString::fromStdString(f.string())) && m.contains(says), qPrintable(m));
        }
    }

    void readsOnlyPlainFiles()
    {
        // a FIFO named like a config would block the reader forever; a folder reads as empty
        const auto fifo = dir("fifo.json");
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        QVERIFY_THROWS_EXCEPTION(ConfigError, readJsonFile(fifo));
        QVERIFY_THROWS_EXCEPTION(DataError, readFileBounded(dir("atomic"), 1 << 20));
        writeRaw(dir("big.json"), std::string(2000, ' ') + "{}");
        QVERIFY_THROWS_EXCEPTION(DataError, readFileBounded(dir("big.json"), 1000));
    }

    // ---- presets ----

    void oneBadPresetDoesNotHideTheOthers()
    {
        writeRaw(presetsDir() / "badone.json", "{\"kind\": \"study\", \"model\": {\"alpha\": \"x\"}");
        writeRaw(presetsDir() / "badtwo.json", "{\"kind\": \"study\", \"model\": {\"alpha\": -3}}");
        std::vector<std::string> problems;
        const auto all = listPresets(&problems);
        QVERIFY(std::any_of(all.begin(), all.end(), [](const Preset& p) { return p.name == "quick"; }));
        QCOMPARE(int(problems.size()), 2);
        QVERIFY(QString::fromStdString(problems[0]).contains(QStringLiteral("badone.json")));
        QVERIFY(QString::fromStdString(problems[1]).contains(QStringLiteral("badtwo.json")));
        QVERIFY2(QString::fromStdString(problems[1]).contains(QStringLiteral("alpha")), problems[1].c_str());
        QCOMPARE(findPreset("quick").name, std::string("quick"));
        try {
            findPreset("badone");
            QFAIL("the broken preset was found");
        } catch (const ConfigError& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QStringLiteral("badone.json")) && m.contains(QStringLiteral("not valid JSON")),
                     qPrintable(m));
        }
        fs::remove(presetsDir() / "badone.json");
        fs::remove(presetsDir() / "badtwo.json");
    }

    void presetNamesStayInTheFolder_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("ok");
        QTest::newRow("up") << QStringLiteral("../x") << false;
        QTest::newRow("absolute") << QStringLiteral("/tmp/x") << false;
        QTest::newRow("sub") << QStringLiteral("a/b") << false;
        QTest::newRow("hidden") << QStringLiteral(".x") << false;
        QTest::newRow("dots") << QStringLiteral("..") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("space") << QStringLiteral("my preset") << false;
        QTest::newRow("plain") << QStringLiteral("my-preset_2.1") << true;
    }
    void presetNamesStayInTheFolder()
    {
        QFETCH(QString, name);
        QFETCH(bool, ok);
        Preset p;
        p.name = name.toStdString();
        p.kind = "study";
        p.study = reportOnlyStudy();
        const auto outside = dir("home") / "x.json";
        if (ok) {
            QCOMPARE(saveUserPreset(p), presetsDir() / (p.name + ".json"));
            QCOMPARE(findPreset(p.name).name, p.name);
        } else {
            QVERIFY_THROWS_EXCEPTION(ConfigError, saveUserPreset(p));
            QVERIFY(!fs::exists(outside));
            QVERIFY(!fs::exists(dir("x.json")));
        }
    }

    void invalidPresetIsNotSaved_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("NaN alpha") << QStringLiteral("model.alpha");
        QTest::newRow("infinite weight decay") << QStringLiteral("training_modified.weight_decay");
        QTest::newRow("no batch") << QStringLiteral("training_original.batch_size");
    }
    void invalidPresetIsNotSaved()
    {
        QFETCH(QString, field);
        Preset p;
        p.name = "refused";
        p.kind = "study";
        p.study = reportOnlyStudy();
        if (field == QLatin1String("model.alpha")) p.study->model.alpha = std::nan("");
        if (field == QLatin1String("training_modified.weight_decay"))
            p.study->trainModified.weightDecay = std::numeric_limits<double>::infinity();
        if (field == QLatin1String("training_original.batch_size")) p.study->trainOriginal.batchSize = 0;
        try {
            saveUserPreset(p);
            QFAIL("saved");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(field), e.what());
        }
        QVERIFY(!fs::exists(presetsDir() / "refused.json"));
    }

    void presetOnAFullDiskKeepsThePreviousOne()
    {
        Preset p;
        p.name = "kept";
        p.kind = "study";
        p.study = reportOnlyStudy();
        p.study->trainOriginal.epochs = 3;
        const auto path = saveUserPreset(p);
        p.study->trainOriginal.epochs = 5;
        {
            WriteFault fault([](const fs::path&) { return ENOSPC; });
            QVERIFY_THROWS_EXCEPTION(DataError, saveUserPreset(p));
        }
        QCOMPARE(loadPreset(path).study->trainOriginal.epochs, 3);
        QCOMPARE(temporaries(path.parent_path()), QStringList());
    }

    void realFullDiskKeepsThePreviousConfig()
    {
        if (::geteuid() != 0) QSKIP("mounting a tmpfs needs root");
        Tmpfs disk(dir("tmpfs-config"), "256k");
        if (!disk.mounted) QSKIP("tmpfs cannot be mounted here");
        auto c = reportOnlyStudy();
        const auto f = disk.dir / "config.json";
        saveExperimentConfig(c, f);
        const auto before = readAll(f);
        disk.fill();
        c.trainOriginal.epochs = 7;
        try {
            saveExperimentConfig(c, f);
            QFAIL("a full disk was not reported");
        } catch (const DataError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("No space left on device")), e.what());
        }
        QCOMPARE(readAll(f), before); // was: an empty file renamed over it
        disk.unfill();
        QCOMPARE(temporaries(disk.dir), QStringList());
    }

    // ---- the run folder's lock ----

    void folderLockRefusesASecondHolder()
    {
        const auto d = dir("locked");
        QVERIFY(!FolderLock::isHeld(d));
        {
            FolderLock a(d);
            QVERIFY(FolderLock::isHeld(d));
            try {
                FolderLock b(d);
                QFAIL("two holders");
            } catch (const DataError& e) {
                const QString m = QString::fromUtf8(e.what());
                QVERIFY2(m.contains(QString::fromStdString(d.string())) && m.contains(QString::number(::getpid())),
                         qPrintable(m));
            }
            // a run on that folder is refused before it writes anything
            QVERIFY_THROWS_EXCEPTION(DataError, runExperiment(reportOnlyStudy(), d));
            QVERIFY(!fs::exists(d / "state.json"));
        }
        QVERIFY(!FolderLock::isHeld(d));
        FolderLock again(d);
    }

    // ---- run state ----

    void damagedStateIsAClearError_data()
    {
        QTest::addColumn<QByteArray>("state");
        QTest::addColumn<QString>("says");
        QTest::newRow("no rows") << QByteArray("{\"config\": {}, \"done\": []}") << QStringLiteral("rows");
        QTest::newRow("no done") << QByteArray("{\"config\": {}, \"rows\": {}}") << QStringLiteral("done");
        QTest::newRow("done not names") << QByteArray("{\"config\": {}, \"done\": [1], \"rows\": {}}")
                                        << QStringLiteral("done");
        QTest::newRow("run_id text") << QByteArray("{\"config\": {}, \"done\": [], \"rows\": {}, \"run_id\": \"7\"}")
                                     << QStringLiteral("run_id");
        QTest::newRow("row of wrong type")
            << QByteArray("{\"config\": {}, \"done\": [], \"rows\": {\"modified-fp32\": {\"params\": \"x\"}}}")
            << QStringLiteral("rows.modified-fp32");
        QTest::newRow("array") << QByteArray("[]") << QStringLiteral("object");
        QTest::newRow("not JSON") << QByteArray("{\"config\"") << QStringLiteral("not valid JSON");
    }
    void damagedStateIsAClearError()
    {
        QFETCH(QByteArray, state);
        QFETCH(QString, says);
        const auto d = dir("state-" + std::to_string(qHash(state)));
        writeRaw(d / "state.json", state.toStdString());
        try {
            runExperiment(reportOnlyStudy(), d);
            QFAIL("accepted");
        } catch (const DataError& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QString::fromStdString((d / "state.json").string())) && m.contains(says),
                     qPrintable(m));
        }
    }

    void fullDiskDuringTheReportKeepsTheFilesAndFailsTheRun()
    {
        const auto d = dir("report-full");
        const auto cfg = reportOnlyStudy();
        const auto first = runExperiment(cfg, d);
        const auto csv = readAll(d / "results.csv"), state = readAll(d / "state.json");
        {
            WriteFault fault([](const fs::path& p) { return p.filename() == "results.csv" ? ENOSPC : 0; });
            try {
                runExperiment(cfg, d);
                QFAIL("a full disk was not reported");
            } catch (const DataError& e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("results.csv")), e.what());
            }
        }
        QCOMPARE(readAll(d / "results.csv"), csv);
        QCOMPARE(readAll(d / "state.json"), state);
        QCOMPARE(temporaries(d), QStringList());
        RunStore store;
        const auto info = store.show(first.runId).info;
        QCOMPARE(QString::fromStdString(info.status), QStringLiteral("failed"));
        QVERIFY2(QString::fromStdString(info.message).contains(QStringLiteral("results.csv")), info.message.c_str());
    }

    void fullDiskDuringTheStateSaveKeepsTheState()
    {
        const auto d = dir("state-full");
        const auto cfg = reportOnlyStudy();
        const auto first = runExperiment(cfg, d);
        const auto state = readAll(d / "state.json");
        RunStore().remove(first.runId); // the next run records itself again: a new run_id in state.json
        {
            WriteFault fault([](const fs::path& p) { return p.filename() == "state.json" ? ENOSPC : 0; });
            try {
                runExperiment(cfg, d);
                QFAIL("a full disk was not reported");
            } catch (const DataError& e) {
                QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("state.json")), e.what());
            }
        }
        QCOMPARE(readAll(d / "state.json"), state);
        QCOMPARE(temporaries(d), QStringList());
        const auto runs = RunStore().list();
        QCOMPARE(QString::fromStdString(runs.back().outDir), QString::fromStdString(d.string()));
        QCOMPARE(QString::fromStdString(runs.back().status), QStringLiteral("failed"));
    }

    // ---- run store ----

    void orphanRunningRowsBecomeInterrupted()
    {
        RunStore store(dir("orphans.sqlite"));
        const auto d = dir("orphan-run");
        fs::create_directories(d);
        const auto killed = store.createRun("study", "killed", {}, {}, d.string()); // no lock: its process is gone
        const auto gone = store.createRun("study", "gone", {}, {}, dir("no-such-folder").string());
        const auto liveDir = dir("live-run");
        FolderLock live(liveDir);
        const auto alive = store.createRun("study", "alive", {}, {}, liveDir.string());
        auto status = [&](std::int64_t id) {
            for (const auto& r : store.list())
                if (r.id == id) return QString::fromStdString(r.status);
            return QString();
        };
        QCOMPARE(status(killed), QStringLiteral("interrupted"));
        QCOMPARE(status(gone), QStringLiteral("interrupted"));
        QCOMPARE(status(alive), QStringLiteral("running"));
        QCOMPARE(QString::fromStdString(store.show(killed).info.status), QStringLiteral("interrupted"));
        // recorded, not only shown: a fresh connection reads it
        RunStore again(dir("orphans.sqlite"));
        QCOMPARE(QString::fromStdString(again.show(killed).info.status), QStringLiteral("interrupted"));
    }

    void deletingRuns()
    {
        RunStore store(dir("delete.sqlite"));
        const auto liveDir = dir("delete-live");
        FolderLock live(liveDir);
        const auto running = store.createRun("study", "running", {}, {}, liveDir.string());
        ModelResult r;
        r.model = "modified-fp32";
        store.putResult(running, r);
        try {
            store.remove(running);
            QFAIL("a running run was deleted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("running")), e.what());
        }
        // its process goes on recording
        store.putResult(running, r);
        store.addEpoch(running, "modified-fp32", EpochSummary{});
        QCOMPARE(int(store.show(running).results.size()), 1);

        const auto interrupted = store.createRun("study", "interrupted", {}, {}, dir("delete-dead").string());
        store.putResult(interrupted, r);
        store.addEpoch(interrupted, "modified-fp32", EpochSummary{});
        store.remove(interrupted);
        QVERIFY(!store.exists(interrupted));
        QVERIFY_THROWS_EXCEPTION(ConfigError, store.show(interrupted));
        // later inserts of other runs are unaffected
        const auto next = store.createRun("study", "next", {}, {}, dir("delete-next").string());
        store.putResult(next, r);
        QCOMPARE(int(store.show(next).results.size()), 1);
    }

    void resumeAfterTheRunWasDeletedRecordsItAgain()
    {
        const auto d = dir("deleted-run");
        const auto cfg = reportOnlyStudy();
        const auto first = runExperiment(cfg, d);
        RunStore().remove(first.runId);
        const auto again = runExperiment(cfg, d);
        QVERIFY(again.runId != first.runId);
        QCOMPARE(QString::fromStdString(RunStore().show(again.runId).info.status), QStringLiteral("finished"));
    }

    void sweepThatFailsIsRecordedFailed()
    {
        auto cfg = *findPreset("sweep-quick").sweep;
        cfg.measureLatency = cfg.measureInt8 = false;
        struct Boom : ExperimentObserver {
            void onEvent(const ExperimentEvent& e) override
            {
                if (e.type == ExperimentEvent::Type::ModelMeasured) throw DataError("boom: the disk went away");
            }
        } boom;
        QVERIFY_THROWS_EXCEPTION(DataError, runSweep(cfg, dir("sweep-fails"), &boom));
        const auto runs = RunStore().list();
        QVERIFY(!runs.empty());
        QCOMPARE(QString::fromStdString(runs.back().outDir), QString::fromStdString(dir("sweep-fails").string()));
        QCOMPARE(QString::fromStdString(runs.back().status), QStringLiteral("failed"));
        QVERIFY(QString::fromStdString(runs.back().message).contains(QStringLiteral("boom")));
    }

    void sweepPointsAreValidatedBeforeTheFirst()
    {
        auto cfg = *findPreset("sweep-quick").sweep;
        cfg.knob = "num_layers";
        cfg.values = {5, 6, 100}; // 100 blocks: past the model's limit, but > 0 as the sweep asks
        cfg.measureLatency = cfg.measureInt8 = false;
        const auto before = RunStore().list().size();
        try {
            runSweep(cfg, dir("sweep-bad-point"));
            QFAIL("accepted");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("sweep.values[2]")), e.what());
        }
        QVERIFY(!fs::exists(dir("sweep-bad-point") / "sweep.json"));
        QCOMPARE(RunStore().list().size(), before);
    }

    void runStoreOnAFullDisk()
    {
        if (::geteuid() != 0) QSKIP("mounting a tmpfs needs root");
        Tmpfs disk(dir("tmpfs-store"), "1m");
        if (!disk.mounted) QSKIP("tmpfs cannot be mounted here");
        const auto db = disk.dir / "runs.sqlite";
        std::int64_t id = 0;
        int stored = 0;
        bool reported = false;
        {
            RunStore store(db);
            id = store.createRun("study", "full", {}, {}, dir("full-run").string());
            disk.fill();
            ModelResult r;
            r.confusion.assign(4096, 7); // a row of some KB
            for (int i = 0; i < 2000 && !reported; ++i) {
                r.model = "m" + std::to_string(i);
                try {
                    store.putResult(id, r);
                    ++stored;
                } catch (const DataError& e) {
                    const QString m = QString::fromUtf8(e.what());
                    QVERIFY2(m.contains(QString::fromStdString(db.string())) && m.contains(QStringLiteral("full")),
                             qPrintable(m));
                    reported = true;
                }
            }
        }
        QVERIFY(reported);
        disk.unfill();
        // consistent: every committed row is there, none of the failed one, and it takes writes again
        RunStore store(db);
        QCOMPARE(int(store.show(id).results.size()), stored);
        ModelResult r;
        r.model = "after";
        store.putResult(id, r);
        QCOMPARE(int(store.show(id).results.size()), stored + 1);
    }
};

QTEST_GUILESS_MAIN(TestPersistence)
#include "tst_persistence.moc"
