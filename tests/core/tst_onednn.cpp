// The fused oneDNN INT8 engine against the LibTorch-kernel runtime: every fused step alone on the
// reference's own inputs (within one quantization step of its output site), the whole network's
// accuracy on the bundled MNIST subset, per-site SQNR, batch and thread changes, save/load, names.
#include "phinet/common/Threads.h"
#include "phinet/quant/OnednnEngine.h"
#include "phinet/quant/Quantizer.h"
#include "TestModels.h"

#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

/// The largest difference between each image run alone (batch 1) and its row of the batch's logits.
double worstRowApart(const QuantizedPhiNet& q, const torch::Tensor& x, const torch::Tensor& all)
{
    double worst = 0;
    for (int64_t i = 0; i < x.size(0); ++i)
        worst = std::max(worst, (q.forward(x.slice(0, i, i + 1)) - all.slice(0, i, i + 1)).abs().max().item<double>());
    return worst;
}

void randomiseBatchNorm(PhiNet& m)
{
    torch::NoGradGuard ng;
    for (auto& mod : m->modules())
        if (auto* bn = mod->as<torch::nn::BatchNorm2dImpl>()) {
            bn->running_mean.uniform_(-0.5, 0.5);
            bn->running_var.uniform_(0.5, 2.0);
            bn->weight.uniform_(0.5, 1.5);
            bn->bias.uniform_(-0.3, 0.3);
        }
}

DataSplits& mnist()
{
    static DataSplits d = [] {
        DataConfig c;
        c.limitTrain = 2048;
        c.limitTest = 1000;
        return loadData(c);
    }();
    return d;
}

torch::Tensor firstBatch(const DatasetPtr& set, int n)
{
    BatchLoader::Options o;
    o.batchSize = n;
    BatchLoader loader(set, mnist().config.mean, mnist().config.std, o);
    Batch b;
    loader.next(b);
    return b.images;
}

/// A network converted twice from the same folded weights and calibration: reference and fused.
struct Pair {
    FoldedPhiNet folded;
    QuantizedPhiNet reference, fused;
};

Pair convertBoth(PhiNet& model, const torch::Tensor& calib)
{
    model->eval();
    Pair p;
    p.folded = foldBatchNorm(model);
    QuantConfig qc;
    qc.engine = QuantEngine::Onednn;
    auto params = calibrate(
        p.folded,
        [&, n = 0](torch::Tensor& b) mutable {
            if (n++ >= 1) return false;
            b = calib;
            return true;
        },
        qc);
    p.reference = QuantizedPhiNet::convert(p.folded, params, qc.weights, QuantEngine::Onednn);
    p.fused = QuantizedPhiNet::convert(p.folded, params, qc.weights, QuantEngine::OnednnFused);
    return p;
}

PhiNetConfig studyMnist(Variant v)
{
    auto c = PhiNetConfig::study(v, {1, 28, 28});
    c.bnMomentum = 0.1;
    return c;
}

} // namespace

class TestOnednn : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;

private Q_SLOTS:
    void initTestCase()
    {
        if (!OnednnPhiNet::available()) QSKIP("this build has no oneDNN (libdnnl-dev)");
        setComputeThreads(2);
    }

    void names()
    {
        QCOMPARE(QString::fromStdString(toString(QuantEngine::OnednnFused)), QStringLiteral("onednn-fused"));
        QCOMPARE(engineFromString("onednn-fused"), std::optional<QuantEngine>(QuantEngine::OnednnFused));
        QCOMPARE(engineFromString("ONEDNN_FUSED"), std::optional<QuantEngine>(QuantEngine::OnednnFused));
        QCOMPARE(engineFromString("onednn"), std::optional<QuantEngine>(QuantEngine::Onednn));
#if defined(__x86_64__)
        QCOMPARE(int(defaultEngine()), int(QuantEngine::OnednnFused));
#endif
        QuantConfig c;
        c.engine = QuantEngine::OnednnFused;
        QCOMPARE(int(quantConfigFromJson(toJson(c)).engine), int(QuantEngine::OnednnFused));
    }

    // Every fused step (conv + activation, conv + residual add, SE pool / reduce / gate / multiply,
    // pooling, the classifier, the input quantization) run alone on the reference runtime's own
    // input sites lands within one quantization step of the reference's output site.
    void stepsMatchReference_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<bool>("hswish");
        QTest::addColumn<bool>("study");
        QTest::newRow("modified small") << int(Variant::Modified) << true << false;
        QTest::newRow("original small") << int(Variant::Original) << true << false;
        QTest::newRow("modified study mnist") << int(Variant::Modified) << true << true;
        QTest::newRow("original study mnist (zero pads)") << int(Variant::Original) << true << true;
        QTest::newRow("modified relu6") << int(Variant::Modified) << false << false;
    }
    void stepsMatchReference()
    {
        QFETCH(int, variant);
        QFETCH(bool, hswish);
        QFETCH(bool, study);
        auto cfg = study ? studyMnist(Variant(variant)) : testing::smallModel(Variant(variant));
        cfg.hSwish = hswish;
        torch::manual_seed(5);
        PhiNet model(cfg);
        randomiseBatchNorm(model);
        const auto x = firstBatch(mnist().train, 16);
        auto p = convertBoth(model, x);
        QVERIFY(p.fused.fused() != nullptr);
        QVERIFY(p.reference.fused() == nullptr);
        const auto& names = p.reference.siteNames();
        std::vector<torch::Tensor> ref(names.size());
        p.reference.forward(x, [&](int s, const torch::Tensor& t) { ref[size_t(s)] = t; });
        const auto* f = p.fused.fused();
        const int n = int(x.size(0));
        const auto steps = f->steps(n);
        QVERIFY(steps.size() >= 5);
        int fusedActs = 0, fusedAdds = 0, gates = 0;
        double worst = 0;
        for (size_t i = 0; i < steps.size(); ++i) {
            const auto& st = steps[i];
            std::vector<torch::Tensor> inputs;
            if (i == 0)
                inputs.push_back(x);
            else
                for (int s : st.inputSites)
                    inputs.push_back(ref[size_t(s)]);
            const auto got = f->runStep(n, int(i), inputs);
            const auto& want = ref[size_t(st.outputSite)];
            QCOMPARE(got.sizes().vec(), want.reshape(got.sizes()).sizes().vec());
            const double step = p.reference.siteParams()[size_t(st.outputSite)].scale;
            // A conv + activation step also rounds at the conv's own site (in its post-ops, as the
            // reference does in memory); a rounding tie decided the other way there is one step of
            // that site, carried through the activation (slope <= 1.5 for hard-swish, 1 for ReLU6).
            double allowed = 1.0;
            if (const auto plus = st.name.find("+act"); plus != std::string::npos) {
                const auto conv = std::find(names.begin(), names.end(), st.name.substr(0, plus)) - names.begin();
                const double convStep = p.reference.siteParams()[size_t(conv)].scale;
                allowed = std::max(1.0, std::ceil((hswish ? 1.5 : 1.0) * convStep / step));
            }
            const auto diff = (got - want.reshape(got.sizes())).abs() / step;
            const double apart = diff.max().item<double>();
            const double within1 = diff.le(1.0 + 1e-3).to(torch::kFloat).mean().item<double>();
            QVERIFY2(apart <= allowed + 1e-3 && within1 >= 0.999,
                     qPrintable(QStringLiteral("%1 -> %2: %3 steps apart (allowed %4), %5% within one step")
                                    .arg(QString::fromStdString(st.name))
                                    .arg(QString::fromStdString(names[size_t(st.outputSite)]))
                                    .arg(apart)
                                    .arg(allowed)
                                    .arg(100.0 * within1)));
            worst = std::max(worst, apart);
            fusedActs += st.name.find("+act") != std::string::npos;
            fusedAdds += st.name.find("+add") != std::string::npos;
            gates += st.name.find("se_gate+") != std::string::npos;
        }
        qInfo("%zu fused steps, the worst %.2f steps from the reference", steps.size(), worst);
        QVERIFY(fusedActs > 0);
        if (cfg.residuals) QVERIFY(fusedAdds > 0);
        if (cfg.squeezeExcite) QVERIFY(gates > 0);
    }

    // Whole forward passes: the fused engine's logits track the reference's (a differing rounding
    // tie may move a code by one step and propagate, so the check is on SQNR and agreement).
    void wholeNetworkTracksReference()
    {
        auto cfg = studyMnist(Variant::Modified);
        torch::manual_seed(7);
        PhiNet model(cfg);
        randomiseBatchNorm(model);
        const auto x = firstBatch(mnist().test, 64);
        auto p = convertBoth(model, firstBatch(mnist().train, 32));
        const auto a = p.reference.forward(x), b = p.fused.forward(x);
        QCOMPARE(b.sizes().vec(), a.sizes().vec());
        const double s = sqnrDb(a, b);
        QVERIFY2(s > 30.0, qPrintable(QString::number(s)));
        QVERIFY(a.argmax(1).eq(b.argmax(1)).to(torch::kFloat).mean().item<double>() >= 0.95);
    }

    // The same model at other batch sizes and thread counts (primitives rebuilt per pair) gives
    // the same logits; a saved and reloaded model runs on the fused engine again.
    void batchesThreadsAndFiles()
    {
        auto cfg = testing::smallModel(Variant::Modified);
        torch::manual_seed(9);
        PhiNet model(cfg);
        randomiseBatchNorm(model);
        const auto x = firstBatch(mnist().test, 7);
        auto p = convertBoth(model, firstBatch(mnist().train, 32));
        const auto all = p.fused.forward(x);
        QVERIFY(worstRowApart(p.fused, x, all) < 1e-5);
        setComputeThreads(1);
        const auto single = p.fused.forward(x);
        setComputeThreads(2);
        QVERIFY((single - all).abs().max().item<double>() < 1e-5);
        const auto file = fs::path(tmp_.path().toStdString()) / "fused.int8";
        p.fused.save(file);
        auto loaded = QuantizedPhiNet::load(file);
        QCOMPARE(int(loaded.engine()), int(QuantEngine::OnednnFused));
        QVERIFY(loaded.fused() != nullptr);
        QVERIFY((loaded.forward(x) - all).abs().max().item<double>() < 1e-5);
        auto asReference = QuantizedPhiNet::load(file, QuantEngine::Onednn);
        QVERIFY(asReference.fused() == nullptr);
        QVERIFY(sqnrDb(asReference.forward(x), all) > 30.0);
    }

    // The study's MNIST network ends at 1 x 1 pixels (block7): at batch 1 its SE multiply is a oneDNN
    // binary over same-shaped operands, which must be a jit one (with nhwc codes and nchw gains it
    // was ref:any, 29% of the batch-1 time) and give the rows the batch's host pass gives.
    void onePixelGateAtBatchOne()
    {
        auto cfg = studyMnist(Variant::Modified);
        torch::manual_seed(11);
        PhiNet model(cfg);
        randomiseBatchNorm(model);
        const auto x = firstBatch(mnist().test, 4);
        auto p = convertBoth(model, firstBatch(mnist().train, 32));
        const auto all = p.fused.forward(x);
        QVERIFY(worstRowApart(p.fused, x, all) < 1e-5);
        int gates = 0;
        for (const auto& st : p.fused.fused()->profile(x.slice(0, 0, 1), 1)) {
            QVERIFY2(st.impl.rfind("ref", 0) != 0, qPrintable(QString::fromStdString(st.name + ": " + st.impl)));
            gates += st.name == "block7.se_gate+block7.se_mul";
        }
        QCOMPARE(gates, 1);
    }

    // A small model trained on the bundled MNIST subset, PTQ-converted by both engines: test-set
    // accuracy equal within 0.1 point, and the sites the fused engine holds in memory have the
    // reference's SQNR against the folded FP32 model (within 0.5 dB).
    void trainedAccuracyAndSqnr()
    {
        auto& data = mnist();
        torch::manual_seed(1);
        PhiNet model(testing::smallModel(Variant::Modified));
        TrainRequest req;
        req.config.epochs = 3;
        req.config.batchSize = 64;
        req.config.lr = 3e-3;
        req.config.threads = 2;
        train(model, data, req);
        QuantConfig qc;
        qc.engine = QuantEngine::Onednn;
        qc.calibrationBatches = 10;
        qc.calibrationBatchSize = 64;
        auto r = quantizePtq(model, data, qc);
        auto fused = QuantizedPhiNet::convert(r.folded, r.model.siteParams(), qc.weights, QuantEngine::OnednnFused);
        const auto ref = evaluate([&](const torch::Tensor& x) { return r.model.forward(x); }, data.test, data.config,
                                  256, false, 10);
        const auto got =
            evaluate([&](const torch::Tensor& x) { return fused.forward(x); }, data.test, data.config, 256, false, 10);
        qInfo("accuracy: reference %.2f%%, fused %.2f%%", ref.accuracy, got.accuracy);
        QVERIFY(ref.accuracy > 70.0);
        QVERIFY2(std::abs(ref.accuracy - got.accuracy) <= 0.1,
                 qPrintable(QStringLiteral("reference %1%, fused %2%").arg(ref.accuracy).arg(got.accuracy)));

        const auto x = firstBatch(data.test, 64);
        const auto refLayers = compareLayers(r.folded, r.model, x);
        std::vector<torch::Tensor> fp32(refLayers.size());
        {
            torch::NoGradGuard ng;
            forwardFolded(r.folded, x, [&](int s, const torch::Tensor& t) {
                fp32[size_t(s)] = t;
                return t;
            });
        }
        int checked = 0;
        fused.fused()->forward(x, [&](int s, const torch::Tensor& t) {
            const double mine = sqnrDb(fp32[size_t(s)], t.reshape(fp32[size_t(s)].sizes()));
            const double theirs = refLayers[size_t(s)].sqnrDb;
            qInfo("%-20s reference %6.2f dB, fused %6.2f dB", refLayers[size_t(s)].name.c_str(), theirs, mine);
            if (std::isfinite(theirs))
                QVERIFY2(mine >= theirs - 0.5, qPrintable(QString::fromStdString(refLayers[size_t(s)].name)));
            ++checked;
        });
        QVERIFY(checked >= 8);
    }
};

QTEST_GUILESS_MAIN(TestOnednn)
#include "tst_onednn.moc"
