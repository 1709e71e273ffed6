// FP32 training on the bundled MNIST subset: learning, cancel, resume, checkpoints, divergence,
// schedules, evaluation. Fixed seeds; small models so the suite stays fast.
#include "phinet/common/Error.h"
#include "phinet/train/Trainer.h"
#include "TestModels.h"

#include <QTemporaryDir>

#include <fstream>
#include <QtTest/QtTest>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

DataSplits subset(int64_t train = 1024, int64_t test = 500)
{
    DataConfig d;
    d.limitTrain = train;
    d.limitTest = test;
    return loadData(d);
}

TrainRequest request(int epochs)
{
    TrainRequest r;
    r.config.epochs = epochs;
    r.config.batchSize = 64;
    r.config.lr = 3e-3;
    r.config.threads = 2;
    r.config.seed = 1;
    r.config.reportEvery = 4;
    return r;
}

struct Recorder : TrainObserver {
    std::vector<BatchProgress> batches;
    std::vector<EpochSummary> epochs;
    CancelToken* cancelAfterBatch = nullptr;
    int64_t cancelAt = -1;
    void onBatch(const BatchProgress& p) override
    {
        batches.push_back(p);
        if (cancelAfterBatch && p.globalBatch >= cancelAt) cancelAfterBatch->cancel();
    }
    void onEpoch(const EpochSummary& e) override { epochs.push_back(e); }
};

bool sameParameters(PhiNet& a, PhiNet& b)
{
    auto pb = b->named_parameters();
    for (const auto& p : a->named_parameters())
        if (!torch::allclose(p.value(), pb[p.key()], 1e-5, 1e-6)) return false;
    return true;
}

} // namespace

class TestTrainer : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    fs::path path(const char* name) { return fs::path(tmp_.path().toStdString()) / name; }

private Q_SLOTS:
    void learnsMnist()
    {
        torch::manual_seed(1);
        PhiNet model(testing::smallModel());
        auto data = subset(2048, 1000);
        Recorder rec;
        auto req = request(4);
        req.checkpointPath = path("learn.ckpt");
        auto r = train(model, data, req, &rec);
        QVERIFY(!r.cancelled);
        QCOMPARE(r.epochsDone, 4);
        QCOMPARE(int(rec.epochs.size()), 4);
        QVERIFY(r.finalTest.has_value());
        // 4 epochs on 2,048 digits with a 30k-parameter model: 86.8% with this seed; chance is 10%.
        QVERIFY2(r.finalTest->accuracy > 80.0, qPrintable(QString::number(r.finalTest->accuracy)));
        for (size_t i = 1; i < rec.epochs.size(); ++i)
            QVERIFY(rec.epochs[i].trainLoss < rec.epochs[i - 1].trainLoss);
        QVERIFY(r.trainSeconds > 0 && r.imagesPerSecond > 0);
        QCOMPARE(rec.batches.front().batchesPerEpoch, int64_t(32));
        QVERIFY(rec.batches.back().etaSeconds >= 0);
        // confusion matrix: rows sum to the class counts, the diagonal is the accuracy
        const auto& t = *r.finalTest;
        int64_t total = 0, diag = 0;
        for (int i = 0; i < 10; ++i)
            for (int j = 0; j < 10; ++j) {
                total += t.confusion[size_t(i * 10 + j)];
                if (i == j) diag += t.confusion[size_t(i * 10 + j)];
            }
        QCOMPARE(total, int64_t(1000));
        QVERIFY(std::abs(100.0 * double(diag) / 1000.0 - t.accuracy) < 1e-9);
        QVERIFY(fs::exists(r.checkpoint));
        QVERIFY(!fs::exists(r.checkpoint.string() + ".tmp"));

        // the checkpoint loads back with identical outputs and the same accuracy
        auto ck = loadCheckpoint(r.checkpoint);
        QCOMPARE(ck.meta.epochsDone, 4);
        QVERIFY(ck.meta.model == model->config());
        QVERIFY(ck.hasOptimizerState);
        QCOMPARE(int(ck.meta.history.size()), 4);
        auto again = evaluate(ck.model, data.test, ck.meta.data, 256);
        QCOMPARE(again.accuracy, t.accuracy);
        model->eval();
        ck.model->eval();
        torch::NoGradGuard ng;
        auto x = torch::randn({3, 1, 28, 28});
        QVERIFY(torch::allclose(model->forward(x), ck.model->forward(x), 1e-5, 1e-5));
    }

    void cancelMidEpochLeavesUsableModel()
    {
        torch::manual_seed(1);
        PhiNet model(testing::smallModel());
        auto data = subset();
        CancelToken cancel;
        Recorder rec;
        rec.cancelAfterBatch = &cancel;
        rec.cancelAt = 5;
        auto req = request(3);
        req.checkpointPath = path("cancel-mid.ckpt");
        auto r = train(model, data, req, &rec, &cancel);
        QVERIFY(r.cancelled);
        QCOMPARE(r.epochsDone, 0);
        QVERIFY(r.epochs.empty());
        QVERIFY(!fs::exists(req.checkpointPath)); // no finished epoch, nothing to checkpoint
        QVERIFY(rec.batches.back().globalBatch <= 8);
        auto e = evaluate(model, data.test, data.config, 256); // still usable
        QCOMPARE(e.count, int64_t(500));
    }

    void cancelAndResumeMatchesUninterrupted()
    {
        auto data = subset(512, 200);
        // uninterrupted: 2 epochs
        torch::manual_seed(1);
        PhiNet straight(testing::smallModel());
        auto req = request(2);
        train(straight, data, req);
        // interrupted after epoch 1 (cancel from the epoch event), then resumed
        torch::manual_seed(1);
        PhiNet first(testing::smallModel());
        CancelToken cancel;
        struct CancelOnEpoch : TrainObserver {
            CancelToken* token;
            void onEpoch(const EpochSummary&) override { token->cancel(); }
        } obs;
        obs.token = &cancel;
        req.checkpointPath = path("resume.ckpt");
        auto r1 = train(first, data, req, &obs, &cancel);
        QCOMPARE(r1.epochsDone, 1);
        QVERIFY(fs::exists(req.checkpointPath));
        torch::manual_seed(123); // a different fresh init: everything must come from the checkpoint
        PhiNet resumed(testing::smallModel());
        auto req2 = request(2);
        req2.resumeFrom = req.checkpointPath;
        req2.checkpointPath = path("resume2.ckpt");
        auto r2 = train(resumed, data, req2);
        QVERIFY(!r2.cancelled);
        QCOMPARE(r2.epochsDone, 2);
        QCOMPARE(int(r2.epochs.size()), 2); // history carried over
        QVERIFY(sameParameters(straight, resumed));
        QCOMPARE(loadCheckpoint(req2.checkpointPath).meta.epochsDone, 2);
    }

    void divergenceIsReported()
    {
        torch::manual_seed(1);
        PhiNet model(testing::smallModel());
        auto req = request(1);
        req.config.optimizer = OptimizerKind::Sgd;
        req.config.lr = 1e6; // the largest lr the settings accept
        try {
            train(model, subset(512, 100), req);
            QFAIL("expected TrainingDiverged");
        } catch (const TrainingDiverged& e) {
            const QString m = QString::fromUtf8(e.what());
            QVERIFY2(m.contains(QStringLiteral("epoch 1")) && m.contains(QStringLiteral("batch")), e.what());
        }
    }

    void schedules_data()
    {
        QTest::addColumn<int>("schedule");
        QTest::newRow("step") << int(ScheduleKind::Step);
        QTest::newRow("cosine") << int(ScheduleKind::Cosine);
    }
    void schedules()
    {
        QFETCH(int, schedule);
        torch::manual_seed(1);
        PhiNet model(testing::smallModel());
        auto req = request(2);
        req.config.schedule = ScheduleKind(schedule);
        req.config.optimizer = OptimizerKind::AdamW;
        req.config.weightDecay = 1e-4;
        req.config.labelSmoothing = 0.1;
        req.config.gradClipNorm = 5.0;
        req.config.evaluateEachEpoch = false;
        Recorder rec;
        train(model, subset(512, 100), req, &rec);
        // first report after 4 of 16 batches: step still at 3e-3, cosine at 3e-3 * 0.5 * (1 + cos(pi * 3/16))
        const double first =
            ScheduleKind(schedule) == ScheduleKind::Step ? 3e-3 : 3e-3 * 0.5 * (1 + std::cos(M_PI * 3.0 / 16));
        QVERIFY(std::abs(rec.batches.front().lr - first) < 1e-12);
        QVERIFY(rec.batches.back().lr < 3e-3 * 0.5);
        for (size_t i = 1; i < rec.batches.size(); ++i)
            QVERIFY(rec.batches[i].lr <= rec.batches[i - 1].lr);
        QVERIFY(!rec.epochs[0].test.has_value()); // evaluated only after the last epoch
        QVERIFY(rec.epochs[1].test.has_value());
    }

    void badCheckpoints()
    {
        const auto garbage = path("garbage.ckpt");
        std::ofstream(garbage) << "this is not a checkpoint";
        QVERIFY_THROWS_EXCEPTION(DataError, loadCheckpoint(garbage));
        QVERIFY_THROWS_EXCEPTION(DataError, loadCheckpoint(path("missing.ckpt")));
        // a checkpoint written, then truncated
        PhiNet model(testing::smallModel());
        CheckpointMeta meta;
        meta.model = testing::smallModel();
        saveCheckpoint(path("ok.ckpt"), model, meta);
        QVERIFY(loadCheckpoint(path("ok.ckpt")).meta.model == testing::smallModel());
        fs::copy_file(path("ok.ckpt"), path("cut.ckpt"));
        fs::resize_file(path("cut.ckpt"), fs::file_size(path("cut.ckpt")) / 2);
        try {
            loadCheckpoint(path("cut.ckpt"));
            QFAIL("expected DataError");
        } catch (const DataError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("cut.ckpt")), e.what());
        }
        // resuming a checkpoint of another configuration is refused
        auto other = testing::smallModel();
        other.alpha = 0.75;
        PhiNet otherModel(other);
        auto req = request(1);
        req.resumeFrom = path("ok.ckpt");
        QVERIFY_THROWS_EXCEPTION(ConfigError, train(otherModel, subset(256, 100), req));
        // data of another shape than the model is refused with a message naming model.input
        auto cifarLike = testing::smallModel();
        cifarLike.input = {3, 32, 32};
        PhiNet wrongInput(cifarLike);
        try {
            train(wrongInput, subset(256, 100), request(1));
            QFAIL("expected ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(QStringLiteral("model.input")), e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestTrainer)
#include "tst_trainer.moc"
