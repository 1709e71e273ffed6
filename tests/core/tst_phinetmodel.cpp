// PhiNet model builder: exact widths, params and MACs against ../shared/PHINET_SPEC.md, the Torch
// module against its plan, MCU estimates against a hand computation, and validation messages.
#include "phinet/model/ConfigJson.h"
#include "phinet/model/PhiNet.h"
#include "phinet/common/Error.h"
#include "../SpecOracle.h"

#include <QtTest/QtTest>

#include <cmath>

using namespace phinet;

namespace {

PhiNetConfig make(Variant v, std::array<int, 3> in, double a, double b, double t, int n = 7, bool top = true)
{
    PhiNetConfig c;
    c.input = in;
    c.alpha = a;
    c.beta = b;
    c.t0 = t;
    c.numLayers = n;
    c.variant = v;
    c.divisor = v == Variant::Modified ? 8 : 1;
    c.includeTop = top;
    c.downsamplingLayers = PhiNetConfig::defaultDownsampling(n);
    return c;
}

/// The spec oracle (tests/SpecOracle.h) for a config.
std::int64_t specParams(const PhiNetConfig& c)
{
    oracle::Knobs k;
    k.channels = c.input[0];
    k.alpha = c.alpha;
    k.beta = c.beta;
    k.t0 = c.t0;
    k.n = c.numLayers;
    k.classes = c.numClasses;
    k.top = c.includeTop;
    k.variant = c.variant == Variant::Original   ? oracle::V::Original
                : c.variant == Variant::Modified ? oracle::V::Modified
                                                 : oracle::V::ModifiedEarly;
    k.divisor = c.divisor;
    return oracle::params(k);
}

} // namespace

class TestPhiNetModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { torch::manual_seed(1); }

    void totals_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("res");
        QTest::addColumn<double>("alpha");
        QTest::addColumn<double>("beta");
        QTest::addColumn<double>("t0");
        QTest::addColumn<bool>("top");
        QTest::addColumn<qint64>("params");
        QTest::addColumn<qint64>("macs"); // -1 where the spec gives none
        const int O = int(Variant::Original), M = int(Variant::Modified), E = int(Variant::ModifiedEarly);
        QTest::newRow("A original 224") << O << 3 << 224 << 3.0 << 0.75 << 6.0 << true << 4394545LL << 1520210158LL;
        QTest::newRow("B modified 224") << M << 3 << 224 << 3.0 << 0.75 << 6.0 << true << 4406997LL << -1LL;
        QTest::newRow("early 224") << E << 3 << 224 << 3.0 << 0.75 << 6.0 << true << 4402741LL << 1521177610LL;
        QTest::newRow("small original") << O << 3 << 224 << 2.3 << 0.75 << 5.0 << true << 2014585LL << 763280698LL;
        QTest::newRow("small modified") << M << 3 << 224 << 2.3 << 0.75 << 5.0 << true << 2090629LL << -1LL;
        QTest::newRow("small early") << E << 3 << 224 << 2.3 << 0.75 << 5.0 << true << 2012917LL << 763280848LL;
        QTest::newRow("D mnist original") << O << 1 << 28 << 3.0 << 0.75 << 6.0 << true << 4394239LL << 28276819LL;
        QTest::newRow("E mnist modified") << M << 1 << 28 << 3.0 << 0.75 << 6.0 << true << 4406691LL << 28308414LL;
        QTest::newRow("micromind docstring") << O << 3 << 224 << 0.2 << 1.0 << 6.0 << false << 30917LL << 9817670LL;
    }
    void totals()
    {
        QFETCH(int, variant);
        QFETCH(int, channels);
        QFETCH(int, res);
        QFETCH(double, alpha);
        QFETCH(double, beta);
        QFETCH(double, t0);
        QFETCH(bool, top);
        QFETCH(qint64, params);
        QFETCH(qint64, macs);
        const auto cfg = make(Variant(variant), {channels, res, res}, alpha, beta, t0, 7, top);
        const auto s = summarize(cfg);
        QCOMPARE(s.params, params);
        if (macs >= 0) QCOMPARE(s.macs, macs);
        QCOMPARE(s.bnLayers, 24);
        PhiNet net(cfg);
        QCOMPARE(net->parameterCount(), params);
    }

    void perLayerTables_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<QList<qint64>>("params");
        QTest::addColumn<QList<int>>("expanded");
        QTest::addColumn<QList<int>>("se");
        QTest::newRow("A original") << int(Variant::Original) << QList<qint64>{747,    12096,  122864,  116033,  137733,
                                                                               405068, 483405, 1413213, 1697616, 5770}
                                    << QList<int>{144, 416, 401, 385, 740, 709, 1357, 1296}
                                    << QList<int>{0, 69, 66, 64, 123, 118, 226, 216};
        QTest::newRow("B modified") << int(Variant::Modified) << QList<qint64>{747,    12096,  125360,  114144,  137376,
                                                                               414696, 488296, 1410896, 1697616, 5770}
                                    << QList<int>{144, 416, 400, 384, 744, 712, 1360, 1296}
                                    << QList<int>{0, 72, 64, 64, 128, 120, 224, 216};
    }
    void perLayerTables()
    {
        QFETCH(int, variant);
        QFETCH(QList<qint64>, params);
        QFETCH(QList<int>, expanded);
        QFETCH(QList<int>, se);
        const auto s = summarize(make(Variant(variant), {3, 224, 224}, 3.0, 0.75, 6.0));
        QCOMPARE(int(s.rows.size()), params.size());
        for (int i = 0; i < params.size(); ++i)
            QCOMPARE(s.rows[size_t(i)].params, params[i]);
        for (int i = 0; i < expanded.size(); ++i) {
            QCOMPARE(s.rows[size_t(i + 1)].expandedChannels, expanded[i]);
            QCOMPARE(s.rows[size_t(i + 1)].seChannels, se[i]);
        }
        const QList<int> spatial{112, 112, 56, 56, 28, 28, 14, 14, 7};
        for (int i = 0; i < spatial.size(); ++i)
            QCOMPARE(s.rows[size_t(i)].outH, spatial[i]);
        const QList<bool> residual{false, false, false, true, false, true, false, true, false};
        for (int i = 0; i < residual.size(); ++i)
            QCOMPARE(s.rows[size_t(i)].residual, residual[i]);
    }

    // The study's sweep grids (spec b.9), all four knobs, every variant: the layer table against
    // the spec's formulas, and a sample of points against the built Torch module.
    void sweepPoints()
    {
        int checked = 0;
        for (int v : {0, 1, 2}) {
            std::vector<PhiNetConfig> points;
            for (int n = 3; n <= 12; ++n)
                points.push_back(make(Variant(v), {3, 224, 224}, 3, 0.75, 6, n));
            for (int i = 0; i < 15; ++i)
                points.push_back(make(Variant(v), {3, 224, 224}, 0.25 + i * (10 - 0.25) / 14, 0.75, 6));
            for (int i = 0; i < 15; ++i)
                points.push_back(make(Variant(v), {3, 224, 224}, 3, 0.25 + i * 0.75 / 14, 6));
            for (int i = 0; i < 7; ++i)
                points.push_back(make(Variant(v), {3, 224, 224}, 3, 0.75, 1 + i * 7.0 / 6));
            for (const auto& p : points) {
                QCOMPARE(summarize(p).params, specParams(p));
                ++checked;
            }
            // Building every point's module would take minutes; a spread of them proves the plan.
            for (size_t i = 0; i < points.size(); i += 9) {
                if (points[i].alpha > 6) continue; // tens of millions of params: the formula check covers them
                PhiNet net(points[i]);
                QCOMPARE(net->parameterCount(), summarize(points[i]).params);
            }
        }
        QCOMPARE(checked, 3 * 47);
    }

    void outputShapes_data()
    {
        QTest::addColumn<int>("variant");
        QTest::addColumn<int>("c");
        QTest::addColumn<int>("res");
        for (int v : {0, 1}) {
            const char* name = v ? "modified" : "original";
            QTest::newRow(qPrintable(QStringLiteral("%1 1x28x28").arg(QLatin1String(name)))) << v << 1 << 28;
            QTest::newRow(qPrintable(QStringLiteral("%1 3x32x32").arg(QLatin1String(name)))) << v << 3 << 32;
            QTest::newRow(qPrintable(QStringLiteral("%1 3x224x224").arg(QLatin1String(name)))) << v << 3 << 224;
        }
    }
    void outputShapes()
    {
        QFETCH(int, variant);
        QFETCH(int, c);
        QFETCH(int, res);
        const auto cfg = make(Variant(variant), {c, res, res}, 3.0, 0.75, 6.0);
        PhiNet net(cfg);
        net->eval();
        torch::NoGradGuard ng;
        auto x = torch::randn({2, c, res, res});
        auto feats = net->features(x);
        const auto& last = net->plan().blocks.back();
        QCOMPARE(feats.size(1), int64_t(last.outChannels));
        QCOMPARE(feats.size(2), int64_t(last.outH));
        QCOMPARE(feats.size(3), int64_t(last.outW));
        auto y = net->forward(x);
        QCOMPARE(y.sizes().vec(), (std::vector<int64_t>{2, 10}));
        QVERIFY(torch::isfinite(y).all().item<bool>());
        // Every block's output matches the plan's spatial size.
        auto t = net->stem(x);
        QCOMPARE(t.size(2), int64_t(net->plan().stem.outH));
        for (auto& b : net->blocks) {
            t = b(t);
            QCOMPARE(t.size(2), int64_t(b->plan.outH));
            QCOMPARE(t.size(3), int64_t(b->plan.outW));
        }
    }

    void forwardBackward()
    {
        auto cfg = make(Variant::Modified, {1, 28, 28}, 0.5, 0.75, 6.0, 4);
        PhiNet net(cfg);
        net->train();
        auto x = torch::randn({4, 1, 28, 28});
        auto target = torch::tensor({0, 1, 2, 3}, torch::kLong);
        auto loss = torch::nn::functional::cross_entropy(net->forward(x), target);
        loss.backward();
        int withGrad = 0;
        for (const auto& p : net->parameters()) {
            QVERIFY(p.grad().defined());
            QVERIFY(torch::isfinite(p.grad()).all().item<bool>());
            if (p.grad().abs().sum().item<double>() > 0) ++withGrad;
        }
        QCOMPARE(withGrad, int(net->parameters().size()));
    }

    // Tiny feature maps train through a custom depthwise backward (oneDNN's is slow there): its
    // gradients must equal the reference computed with the plain convolution module.
    void smallDepthwiseGradients()
    {
        auto cfg = PhiNetConfig::study(Variant::Modified, {1, 28, 28});
        cfg.dropout = 0;
        PhiNet net(cfg);
        net->train();
        for (size_t bi : {size_t(6), size_t(7)}) { // block6 runs at 2x2 (stride 1), block7 2x2 -> 1x1 (stride 2)
            auto& b = net->blocks[bi];
            auto x = torch::randn({8, b->plan.inChannels, b->plan.inH, b->plan.inW});
            auto reference = [&](const torch::Tensor& in) {
                auto y = phinetActivation(b->bnExpand(b->expand(in)), true);
                y = phinetActivation(b->bnDw(b->dw(y)), true); // plain module call
                auto g = torch::sigmoid(b->seExpand(phinetActivation(b->seReduce(y.mean({2, 3}, true)), true)));
                y = b->bnProject(b->project(y * g));
                return b->plan.residual ? y + in : y;
            };
            auto go = torch::randn({8, b->plan.outChannels, b->plan.outH, b->plan.outW});
            auto xa = x.clone().requires_grad_(true);
            auto xb = x.clone().requires_grad_(true);
            net->zero_grad();
            (b->forward(xa) * go).sum().backward();
            std::vector<torch::Tensor> custom;
            for (auto& p : b->parameters())
                custom.push_back(p.grad().clone());
            net->zero_grad();
            (reference(xb) * go).sum().backward();
            size_t i = 0;
            for (auto& p : b->parameters())
                QVERIFY(torch::allclose(custom[i++], p.grad(), 1e-4, 1e-5));
            QVERIFY(torch::allclose(xa.grad(), xb.grad(), 1e-4, 1e-5));
        }
    }

    void trainEvalModes()
    {
        auto cfg = make(Variant::Original, {1, 28, 28}, 0.5, 0.75, 6.0, 4);
        PhiNet net(cfg);
        auto x = torch::randn({8, 1, 28, 28});
        torch::NoGradGuard ng;
        net->eval();
        auto mean0 = net->stem->bn->running_mean.clone();
        auto a = net->forward(x), b = net->forward(x);
        QVERIFY(torch::equal(a, b));                               // eval: deterministic
        QVERIFY(torch::equal(mean0, net->stem->bn->running_mean)); // eval: statistics frozen
        net->train();
        auto c = net->forward(x), d = net->forward(x);
        QVERIFY(!torch::allclose(c, d)); // train: Dropout2d is active
        // momentum 0.999 (PyTorch meaning): running mean is ~ the last batch's mean.
        auto stemOut = net->stem->pw(net->stem->dw(torch::constant_pad_nd(x, {0, 1, 0, 1})));
        auto batchMean = stemOut.mean({0, 2, 3});
        QVERIFY(torch::allclose(net->stem->bn->running_mean, batchMean, 1e-3, 1e-3));
        QCOMPARE(net->stem->bn->options.momentum().value(), 0.999);
        QCOMPARE(net->stem->bn->options.eps(), 1e-3);
    }

    // Hand-computed tiny network (worked out in the comments) for params and the MCU estimates.
    void mcuEstimateTiny()
    {
        auto c = make(Variant::Original, {1, 8, 8}, 0.25, 1.0, 2.0, 1);
        c.numClasses = 2;
        const auto s = summarize(c);
        // widths: stem 12, b1 6, b2 12; t = 2 everywhere; C_e = 12 in blocks 1-3; SE int(2*6/6) = 2.
        // weights: stem 9+12, block0 108+72, blocks 1/2 72+108+48+72, block3 72+108+48+144, head 24 = 1197
        QCOMPARE(s.weightElements, 1197LL);
        QCOMPARE(s.bnChannels, 126LL); // 12 + (12+6) + 2*(12+12+6) + (12+12+12)
        QCOMPARE(s.params, 1197LL + 2 * 126 + 2);
        QCOMPARE(s.flashBytesFp32, 4LL * (1197 + 126 + 2));
        // INT8: 1 byte/weight + int32 bias per folded BN channel and class + float scale per output channel
        // out channels: stem 1+12, block0 12+6, blocks 1/2 12+12+2+12+6, block3 12+12+2+12+12, head 2 = 171
        QCOMPARE(s.flashBytesInt8, 1197LL + 4 * 128 + 4 * 171);
        // spatial 8 -> 4 (stem, even input pads 0,1,0,1) -> 4 -> 2 -> 2 -> 1.
        // block0's depthwise holds its 12x4x4 input and 12x4x4 output: 384 elements, the peak.
        QCOMPARE(s.peakRamElements, 384LL);
        QCOMPARE(s.peakRamBytesFp32, 1536LL);
        QCOMPARE(s.peakRamBytesInt8, 384LL);
        QCOMPARE(QString::fromStdString(s.peakRamAt), QStringLiteral("block0/depthwise"));
        // block2 is residual: its SE multiply holds d, d*g, the gate and the saved 6x2x2 input: 48+48+12+24.
        QCOMPARE(s.rows[3].name, std::string("block2"));
        QCOMPARE(s.rows[3].peakElements, 132LL);
    }

    void helpers()
    {
        QCOMPARE(makeDivisible(69, 8), 72);
        QCOMPARE(makeDivisible(401, 8), 400);
        QCOMPARE(makeDivisible(1, 8), 8);
        QCOMPARE(makeDivisible(10, 8), 16); // 8 < 0.9 * 10
        QCOMPARE(makeDivisible(37, 1), 37);
        QVERIFY(std::abs(expansionFactor(6, 0.75, 1, 7) - 5.785714285714286) < 1e-12);
        QCOMPARE(PhiNetConfig::defaultDownsampling(6), std::vector<int>{5});
        QCOMPARE(PhiNetConfig::defaultDownsampling(4), std::vector<int>{});
    }

    void validation_data()
    {
        QTest::addColumn<QString>("field");
        QTest::newRow("alpha") << "alpha";
        QTest::newRow("num_layers") << "num_layers";
        QTest::newRow("downsampling low") << "downsampling_layers";
        QTest::newRow("downsampling high") << "downsampling_layers";
        QTest::newRow("input channels") << "input";
        QTest::newRow("input small") << "input";
        QTest::newRow("classes") << "num_classes"; // the JSON key
        QTest::newRow("beta") << "beta";
        QTest::newRow("t0") << "t0";
    }
    void validation()
    {
        QFETCH(QString, field);
        auto c = PhiNetConfig::study(Variant::Modified, {1, 28, 28});
        QVERIFY(c.validate().empty());
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        if (tag == "alpha") c.alpha = 0;
        if (tag == "num_layers") {
            c.numLayers = 0;
            c.downsamplingLayers = {};
        }
        if (tag == "downsampling low") c.downsamplingLayers = {3};
        if (tag == "downsampling high") c.downsamplingLayers = {5, 8};
        if (tag == "input channels") c.input = {0, 28, 28};
        if (tag == "input small") c.input = {1, 7, 28};
        if (tag == "classes") c.numClasses = 1;
        if (tag == "beta") c.beta = -1;
        if (tag == "t0") c.t0 = 0;
        const auto errors = c.validate();
        QCOMPARE(int(errors.size()), 1);
        QCOMPARE(QString::fromStdString(errors[0].field), field);
        QVERIFY2(!errors[0].message.empty(), errors[0].text().c_str());
        QVERIFY_THROWS_EXCEPTION(ConfigError, c.ensureValid());
        QVERIFY_THROWS_EXCEPTION(ConfigError, PhiNet{c});
    }

    // The direct oneDNN path of 1x1 convolutions at one thread (inference) computes what LibTorch's
    // own path does: the whole network's logits (its maps of 32x32 and larger take it).
    void directPointwiseMatchesLibTorch()
    {
        torch::manual_seed(3);
        auto cfg = PhiNetConfig::study(Variant::Modified, {3, 64, 64});
        cfg.alpha = 0.5;
        PhiNet net(cfg);
        net->eval();
        torch::NoGradGuard ng;
        const int before = at::get_num_threads();
        at::set_num_threads(1);
        const auto x = torch::rand({2, 3, 64, 64}).contiguous(at::MemoryFormat::ChannelsLast);
        setDirectOnednnPointwise(false);
        const auto native = net->forward(x);
        setDirectOnednnPointwise(true);
        const auto direct = net->forward(x);
        at::set_num_threads(before);
        const double rel = ((direct - native).abs().max() / native.abs().max()).item<double>();
        QVERIFY2(rel < 1e-4, qPrintable(QString::number(rel)));
        // and a single 1x1 conv of a 32x32 map against a plain matrix product
        const auto w = torch::randn({8, 16, 1, 1});
        const auto in = torch::randn({1, 16, 32, 32});
        at::set_num_threads(1);
        const auto y = pointwiseConv2d(in, w);
        at::set_num_threads(before);
        const auto ref = torch::einsum("oc,nchw->nohw", {w.view({8, 16}), in});
        QVERIFY(torch::allclose(y, ref, 1e-4, 1e-5));
    }

    void jsonRoundTrip()
    {
        auto c = make(Variant::Modified, {3, 32, 32}, 2.3, 0.5, 5, 6);
        c.bnMomentum = 0.1;
        QVERIFY(phinetConfigFromJson(toJson(c)) == c);
        auto j = toJson(c);
        j["alpha"] = "wide";
        try {
            phinetConfigFromJson(j);
            QFAIL("expected ConfigError");
        } catch (const ConfigError& e) {
            QVERIFY2(QString::fromUtf8(e.what()).startsWith(QStringLiteral("model.alpha: expected a number")),
                     e.what());
        }
        j = toJson(c);
        j["num_layers"] = 0;
        QVERIFY_THROWS_EXCEPTION(ConfigError, phinetConfigFromJson(j));
    }
};

QTEST_APPLESS_MAIN(TestPhiNetModel)
#include "tst_phinetmodel.moc"
