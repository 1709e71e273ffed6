// Models in and out: ONNX (FP32 and INT8 QDQ) run in ONNX Runtime (npm onnxruntime-node, through
// tests/onnx/run_onnx.js), micromind-named safetensors loaded into a PyTorch module built like
// micromind's (Debian's python3-torch, tests/onnx/reference_phinet.py), micromind files opened back
// (with and without a config in their metadata), and bad files. Node, ONNX Runtime and python3-torch
// are required: scripts/setup installs them; their absence fails the suite with what is missing.
#include "phinet/common/Error.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/export/Micromind.h"
#include "phinet/model/ConfigJson.h"
#include "phinet/quant/Quantizer.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest/QtTest>

#include <cstring>
#include <fstream>

using namespace phinet;
namespace fs = std::filesystem;

namespace {

const fs::path kOnnxDir = fs::path(PHINET_SOURCE_DIR) / "tests" / "onnx";
const char* kPython = "/usr/bin/python3"; // Debian's, with python3-torch (not a pyenv one)

/// A PhiNet of about 143k parameters (MODIFIED; the size bound applies from 100k on): 1x28x28,
/// alpha 1, beta 0.75, t0 6, 5 blocks, block 5 downsampling.
PhiNetConfig exportModelConfig(Variant v)
{
    PhiNetConfig c;
    c.input = {1, 28, 28};
    c.alpha = 1.0;
    c.beta = 0.75;
    c.t0 = 6;
    c.numLayers = 5;
    c.variant = v;
    c.divisor = v == Variant::Modified ? 8 : 1;
    c.downsamplingLayers = {5};
    c.bnMomentum = 0.1;
    return c;
}

void writeFloats(const fs::path& p, const torch::Tensor& t)
{
    const auto c = t.to(torch::kFloat).contiguous();
    std::ofstream f(p, std::ios::binary);
    f.write(reinterpret_cast<const char*>(c.data_ptr<float>()), std::streamsize(c.numel() * 4));
}

torch::Tensor readFloats(const fs::path& p, std::vector<std::int64_t> shape)
{
    auto t = torch::empty(shape, torch::kFloat);
    std::ifstream f(p, std::ios::binary);
    f.read(reinterpret_cast<char*>(t.data_ptr<float>()), std::streamsize(t.numel() * 4));
    if (f.gcount() != std::streamsize(t.numel() * 4)) throw Error(p.string() + ": short output");
    return t;
}

/// Runs a program; QFAIL-worthy message on failure (empty string on success).
QString run(const QString& program, const QStringList& args, QString* out = nullptr)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForStarted(10000)) return program + " did not start: " + p.errorString();
    if (!p.waitForFinished(300000)) return program + " timed out";
    const QString so = QString::fromUtf8(p.readAllStandardOutput());
    if (out) *out = so;
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return program + " " + args.join(' ') + " failed (" + QString::number(p.exitCode()) +
               "): " + QString::fromUtf8(p.readAllStandardError()) + so;
    return {};
}

double accuracyOf(const torch::Tensor& logits, const torch::Tensor& labels)
{
    return 100.0 * logits.argmax(1).eq(labels).sum().item<double>() / double(labels.size(0));
}

/// The model the suite exports: trained once on the bundled MNIST subset (fixed seed), its
/// checkpoint, its micromind export opened back and quantized (PTQ) into an INT8 file.
struct Fixture {
    DataSplits data;
    PhiNet model{nullptr};
    fs::path ckpt, micromind, int8;
    torch::Tensor raw, normalised, labels; // the test split: [0, 1] pixels, normalised, labels
};

} // namespace

class TestExport : public QObject {
    Q_OBJECT
    QTemporaryDir tmp_;
    Fixture fx_;
    fs::path path(const std::string& n) { return fs::path(tmp_.path().toStdString()) / n; }

    /// ONNX Runtime's logits for the test split.
    torch::Tensor ortLogits(const fs::path& model, const torch::Tensor& raw, int classes)
    {
        const auto in = path("ort-in.f32"), out = path("ort-out.f32");
        writeFloats(in, raw);
        const auto n = raw.size(0);
        QString so;
        const auto err = run("node",
                             {QString::fromStdString((kOnnxDir / "run_onnx.js").string()),
                              QString::fromStdString(model.string()), QString::fromStdString(in.string()),
                              QString::number(n), QString::number(raw.size(1)), QString::number(raw.size(2)),
                              QString::number(raw.size(3)), QString::fromStdString(out.string()), "100"},
                             &so);
        if (!err.isEmpty()) throw Error(err.toStdString());
        return readFloats(out, {n, classes});
    }

private Q_SLOTS:
    void initTestCase()
    {
        // What the suite needs besides the build; missing pieces fail here, by name.
        QString so;
        QVERIFY2(run("node", {"--version"}).isEmpty(), "node (Debian's nodejs) is not installed: run scripts/setup");
        QVERIFY2(fs::exists(kOnnxDir / "node_modules" / "onnxruntime-node" / "package.json"),
                 "ONNX Runtime (npm onnxruntime-node) is not installed in tests/onnx/node_modules: run scripts/setup");
        QVERIFY2(run(kPython, {"-c", "import torch, numpy"}).isEmpty(),
                 "python3-torch (Debian's /usr/bin/python3 with torch and numpy) is not installed: run scripts/setup");
        at::set_num_threads(2);
        QElapsedTimer timer;
        timer.start();
        DataConfig d;
        d.dataDir = std::string(PHINET_SOURCE_DIR) + "/resources/data/mnist-subset";
        d.limitTrain = 2048; // two epochs of 2,048 images keep the suite near a minute
        fx_.data = loadData(d);
        torch::manual_seed(1);
        fx_.model = PhiNet(exportModelConfig(Variant::Modified));
        QVERIFY(fx_.model->parameterCount() >= 100000);
        TrainRequest req;
        req.config.epochs = 2;
        req.config.batchSize = 64;
        req.config.lr = 3e-3;
        req.config.threads = 2;
        req.config.evaluateEachEpoch = false;
        train(fx_.model, fx_.data, req);
        qInfo("trained in %.1f s", timer.elapsed() / 1000.0);
        fx_.model->eval();
        setChannelsLast(fx_.model, false);
        CheckpointMeta meta;
        meta.model = fx_.model->config();
        meta.data = fx_.data.config;
        fx_.ckpt = path("trained.ckpt");
        saveCheckpoint(fx_.ckpt, fx_.model, meta);

        const auto& test = *fx_.data.test;
        fx_.raw = test.images.to(torch::kFloat).div(255.0);
        const auto& n = fx_.data.config;
        auto mean = torch::tensor(std::vector<float>(n.mean.begin(), n.mean.end())).view({1, -1, 1, 1});
        auto stdv = torch::tensor(std::vector<float>(n.std.begin(), n.std.end())).view({1, -1, 1, 1});
        fx_.normalised = (fx_.raw - mean) / stdv;
        fx_.labels = test.labels;

        // The second path in: the micromind-named export, opened back and quantized.
        fx_.micromind = path("trained.safetensors");
        exportModel(fx_.ckpt, ExportFormat::SafeTensors, fx_.micromind);
        auto opened = openFp32Model(fx_.micromind);
        QuantConfig qc;
        qc.calibrationBatches = 8;
        qc.observer = ObserverKind::MinMax; // the histogram observer takes most of a minute here
        auto ptq = quantizePtq(opened.model, fx_.data, qc);
        fx_.int8 = path("trained.int8");
        ptq.model.save(fx_.int8);
        qInfo("fixture: %lld params, %lld test images, trained and quantized in %.1f s",
              (long long)fx_.model->parameterCount(), (long long)test.size(), timer.elapsed() / 1000.0);
    }

    void micromindNamesFollowMicromind()
    {
        // ORIGINAL (0.0.5): a ZeroPad2d in every stride-2 block shifts the later indices by one.
        const auto orig = micromindNames(planPhiNet(exportModelConfig(Variant::Original)));
        const auto mod = micromindNames(planPhiNet(exportModelConfig(Variant::Modified)));
        auto has = [](const auto& names, const std::string& ours, const std::string& key) {
            for (const auto& [o, k] : names)
                if (o == ours) return k == key;
            return false;
        };
        QVERIFY(has(orig, "stem.dw.weight", "_layers.1._layers.0.weight"));
        QVERIFY(has(orig, "stem.bn.num_batches_tracked", "_layers.1._layers.2.num_batches_tracked"));
        QVERIFY(has(orig, "blocks.0.dw.weight", "_layers.2._layers.1.weight"));
        QVERIFY(has(orig, "blocks.0.project.weight", "_layers.2._layers.4.weight"));
        QVERIFY(has(orig, "blocks.1.dw.weight", "_layers.3._layers.5.weight"));                // stride 2: pad at 3
        QVERIFY(has(mod, "blocks.1.dw.weight", "_layers.3._layers.4.weight"));                 // no pad module
        QVERIFY(has(orig, "blocks.2.se_reduce.weight", "_layers.4._layers.7.se_conv.weight")); // stride 1
        QVERIFY(has(orig, "blocks.1.se_expand.weight", "_layers.3._layers.8.se_conv2.weight"));
        QVERIFY(has(orig, "classifier.weight", "classifier.2.weight"));
    }

    void fp32OnnxInOnnxRuntime()
    {
        const auto onnx = path("fp32.onnx");
        QElapsedTimer t;
        t.start();
        const auto r = exportModel(fx_.ckpt, ExportFormat::Onnx, onnx);
        QVERIFY(r.nodes > 0);
        const auto got = ortLogits(onnx, fx_.raw, 10);
        torch::NoGradGuard ng;
        const auto ref = fx_.model->forward(fx_.normalised);
        const double rel = (got - ref).abs().max().item<double>() / ref.abs().max().item<double>();
        const double accW = accuracyOf(ref, fx_.labels), accO = accuracyOf(got, fx_.labels);
        qInfo("FP32: workbench %.2f%%, ONNX Runtime %.2f%%, max relative logit difference %.2e, ONNX file %lld bytes "
              "(%.1f s)",
              accW, accO, rel, (long long)r.bytes, t.elapsed() / 1000.0);
        QVERIFY2(rel <= 1e-4, qPrintable(QString("relative logit difference %1").arg(rel)));
        QVERIFY(std::abs(accW - accO) <= 0.05);
    }

    void int8OnnxInOnnxRuntime()
    {
        const auto fp32 = path("fp32-size.onnx"), int8 = path("int8.onnx");
        const auto rf = exportModel(fx_.ckpt, ExportFormat::Onnx, fp32);
        const auto r = exportModel(fx_.int8, ExportFormat::OnnxInt8, int8);
        const auto got = ortLogits(int8, fx_.raw, 10);
        const auto q = QuantizedPhiNet::load(fx_.int8);
        const auto ref = q.forward(fx_.normalised);
        const double agree = 100.0 * got.argmax(1).eq(ref.argmax(1)).sum().item<double>() / double(got.size(0));
        const double accW = accuracyOf(ref, fx_.labels), accO = accuracyOf(got, fx_.labels);
        const double ratio = double(r.bytes) / double(rf.bytes);
        qInfo(
            "INT8: workbench %.2f%%, ONNX Runtime %.2f%%, top-1 agreement %.2f%%; FP32 ONNX %lld bytes, INT8 ONNX %lld "
            "bytes, ratio %.3f",
            accW, accO, agree, (long long)rf.bytes, (long long)r.bytes, ratio);
        QVERIFY2(agree >= 99.0, qPrintable(QString("agreement %1%").arg(agree)));
        QVERIFY(std::abs(accW - accO) <= 0.3);
        QVERIFY2(ratio <= 0.35, qPrintable(QString("INT8 / FP32 ONNX size %1").arg(ratio)));
    }

    void safetensorsIntoPyTorch_data()
    {
        QTest::addColumn<int>("variant");
        QTest::newRow("modified (trained)") << int(Variant::Modified);
        QTest::newRow("original") << int(Variant::Original);
    }
    void safetensorsIntoPyTorch()
    {
        QFETCH(int, variant);
        PhiNet model = fx_.model;
        fs::path ckpt = fx_.ckpt;
        if (Variant(variant) == Variant::Original) {
            // Untrained, with BatchNorm statistics from a few batches: the layout is what is tested.
            torch::manual_seed(3);
            model = PhiNet(exportModelConfig(Variant::Original));
            model->train();
            torch::NoGradGuard ng;
            for (int i = 0; i < 3; ++i)
                model->forward(fx_.normalised.slice(0, i * 64, (i + 1) * 64));
            model->eval();
            CheckpointMeta meta;
            meta.model = model->config();
            meta.data = fx_.data.config;
            ckpt = path("original.ckpt");
            saveCheckpoint(ckpt, model, meta);
        }
        const auto st = path("roundtrip.safetensors");
        exportModel(ckpt, ExportFormat::SafeTensors, st);
        const auto x = fx_.normalised.slice(0, 0, 200);
        const auto in = path("py-in.f32"), out = path("py-out.f32");
        writeFloats(in, x);
        QString so;
        const auto err = run(kPython,
                             {QString::fromStdString((kOnnxDir / "reference_phinet.py").string()),
                              QString::fromStdString(st.string()), QString::fromStdString(in.string()), "200",
                              QString::fromStdString(out.string())},
                             &so);
        QVERIFY2(err.isEmpty(), qPrintable(err));
        const auto got = readFloats(out, {200, 10});
        torch::NoGradGuard ng;
        const auto ref = model->forward(x);
        const double maxErr = (got - ref).abs().max().item<double>();
        qInfo("safetensors -> PyTorch (%s): max |logit difference| %.2e (logits up to %.1f); %s",
              Variant(variant) == Variant::Original ? "original" : "modified", maxErr, ref.abs().max().item<double>(),
              qPrintable(so.trimmed()));
        QVERIFY2(maxErr <= 1e-5, qPrintable(QString("max error %1").arg(maxErr)));
        // And back in: the same weights, bit for bit.
        auto back = openFp32Model(st);
        back.model->eval();
        QVERIFY(back.meta.model == model->config());
        QVERIFY(torch::equal(back.model->forward(x), model->forward(x)));
    }

    void micromindWithoutConfig()
    {
        // A file as a PyTorch user writes it: micromind's names, no metadata at all.
        const auto f = SafeTensorsFile::read(fx_.micromind, 1LL << 30);
        SafeTensorsWriter w;
        for (const auto& t : f.tensors())
            w.add(t.name, t.dtype, t.shape, t.bytes.data(), std::int64_t(t.bytes.size()));
        const auto bare = path("bare.safetensors");
        {
            std::ofstream o(bare, std::ios::binary);
            const auto bytes = w.encode();
            o.write(bytes.data(), std::streamsize(bytes.size()));
        }
        try {
            openFp32Model(bare);
            QFAIL("a file without a config opened without one");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("phinet_config") != std::string::npos, e.what());
        }
        // With the form's configuration: the same model.
        auto ck = openFp32Model(bare, fx_.model->config());
        ck.model->eval();
        torch::NoGradGuard ng;
        const auto x = fx_.normalised.slice(0, 0, 16);
        QVERIFY(torch::equal(ck.model->forward(x), fx_.model->forward(x)));
        const auto info = inspectModelFile(bare, fx_.model->config());
        QCOMPARE(int(info.type), int(ModelFileType::MicromindFp32));
        QVERIFY(!info.configFromFile);
        // A wrong form: the first tensor that does not fit is named.
        auto wrong = fx_.model->config();
        wrong.alpha = 0.75;
        try {
            openFp32Model(bare, wrong);
            QFAIL("a mismatching configuration was accepted");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find("_layers.1._layers.1.weight") != std::string::npos, e.what());
        }
    }

    void badFiles_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::newRow("wrong shape") << "shape"
                                     << "_layers.2._layers.1.weight has shape";
        QTest::newRow("missing tensor") << "missing"
                                        << "classifier.2.bias is missing";
        QTest::newRow("extra tensor") << "extra"
                                      << "tensor extra.weight is not part";
        QTest::newRow("unknown dtype") << "dtype"
                                       << "classifier.2.bias: dtype \"F16\"";
        QTest::newRow("offsets outside the file") << "offsets"
                                                  << "classifier.2.bias";
        QTest::newRow("header longer than the file") << "header"
                                                     << "header claims";
    }
    void badFiles()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        const auto f = SafeTensorsFile::read(fx_.micromind, 1LL << 30);
        std::string content;
        if (kind == "shape" || kind == "missing" || kind == "extra") {
            SafeTensorsWriter w;
            for (const auto& [k, v] : f.metadata())
                w.setMetadata(k, v);
            for (const auto& t : f.tensors()) {
                if (kind == "missing" && t.name == "classifier.2.bias") continue;
                auto shape = t.shape;
                if (kind == "shape" && t.name == "_layers.2._layers.1.weight")
                    shape = {shape[0] / 2, 2, shape[2], shape[3]};
                w.add(t.name, t.dtype, shape, t.bytes.data(), std::int64_t(t.bytes.size()));
            }
            if (kind == "extra") {
                float v = 1;
                w.add("extra.weight", TensorDtype::F32, {1}, &v, 4);
            }
            content = w.encode();
        } else {
            std::ifstream in(fx_.micromind, std::ios::binary);
            content.assign(std::istreambuf_iterator<char>(in), {});
            std::uint64_t n = 0;
            std::memcpy(&n, content.data(), 8);
            std::string header = content.substr(8, n);
            const auto at = header.find("\"classifier.2.bias\"");
            QVERIFY(at != std::string::npos);
            if (kind == "dtype") {
                const auto d = header.find("\"F32\"", at);
                header.replace(d, 5, "\"F16\"");
            } else if (kind == "offsets") {
                // re-encoded with the header's new length (a longer number must not cut the JSON)
                auto j = nlohmann::json::parse(header);
                j["classifier.2.bias"]["data_offsets"][1] = 999999999;
                header = j.dump();
                const std::string data = content.substr(8 + n);
                n = header.size();
                content = std::string(8, '\0') + header + data;
                std::memcpy(content.data(), &n, 8);
            } else {
                n = content.size() + 100; // claims more header than the file has
                std::memcpy(content.data(), &n, 8);
            }
            if (kind == "dtype") content = content.substr(0, 8) + header + content.substr(8 + header.size());
        }
        const auto bad = path("bad.safetensors");
        {
            std::ofstream o(bad, std::ios::binary);
            o.write(content.data(), std::streamsize(content.size()));
        }
        try {
            openFp32Model(bad);
            QFAIL("a bad file opened");
        } catch (const DataError& e) {
            QVERIFY2(std::string(e.what()).find(expected.toStdString()) != std::string::npos, e.what());
            QVERIFY2(std::string(e.what()).find(bad.string()) != std::string::npos, e.what());
        }
    }

    void wrongPrecisionIsRefused()
    {
        try {
            exportModel(fx_.ckpt, ExportFormat::OnnxInt8, path("x.onnx"));
            QFAIL("an FP32 model exported as onnx-int8");
        } catch (const ConfigError& e) {
            QVERIFY2(std::string(e.what()).find("quantize it first") != std::string::npos, e.what());
        }
        QVERIFY_EXCEPTION_THROWN(exportModel(fx_.int8, ExportFormat::Onnx, path("y.onnx")), ConfigError);
        QVERIFY(!fs::exists(path("x.onnx")) && !fs::exists(path("y.onnx")));
    }
};

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"
