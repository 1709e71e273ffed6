// ONNX export through Debian's libonnx-dev (the ONNX protobuf classes and onnx::checker): the FP32
// network with BatchNorm folded into the convolutions, and the INT8 network in QDQ form. The graph is
// emitted by the same walker the INT8 runtime runs (quant/Walker.h), so both have the same ops, in the
// same order, with the same activation sites.
#include "OnnxExport.h"

#include "phinet/common/Error.h"
#include "phinet/common/SafeTensors.h"
#include "phinet/model/ConfigJson.h"

#include "../common/TensorIO.h"
#include "../quant/Walker.h"

#include <cmath>

// What Debian's ONNXConfig.cmake would define for every file of the target (see core/CMakeLists.txt).
#define ONNX_ML 1
#define ONNX_NAMESPACE onnx
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>

namespace phinet::detail {
namespace {

using nlohmann::json;

/// ONNX opset: 13 brings per-channel QuantizeLinear/DequantizeLinear, 14 HardSwish; 17 is the newest
/// Debian's ONNX 1.12 checker knows, and ONNX Runtime, TensorRT and ST Edge AI read it.
constexpr int kOpset = 17;

class GraphBuilder {
public:
    /// The graph's input and output names are taken: no node output may reuse them.
    explicit GraphBuilder(onnx::GraphProto* g) : g_(g) { used_["input"] = used_["logits"] = 1; }

    std::string unique(const std::string& base)
    {
        const int n = used_[base]++;
        return n == 0 ? base : base + "_" + std::to_string(n);
    }

    std::string tensor(const std::string& base, int dtype, const std::vector<std::int64_t>& dims, const void* data,
                       std::size_t bytes)
    {
        const auto name = unique(base);
        auto* t = g_->add_initializer();
        t->set_name(name);
        t->set_data_type(dtype);
        for (auto d : dims)
            t->add_dims(d);
        t->set_raw_data(data, bytes);
        return name;
    }

    /// A tensor from Torch (float32, int8, uint8, int32 or int64), in standard contiguous order.
    std::string tensor(const std::string& base, const torch::Tensor& t, const std::vector<std::int64_t>& dims)
    {
        const auto c = t.detach().to(torch::kCPU).contiguous();
        int dtype = onnx::TensorProto_DataType_FLOAT;
        switch (c.scalar_type()) {
        case torch::kFloat:
            dtype = onnx::TensorProto_DataType_FLOAT;
            break;
        case torch::kChar:
            dtype = onnx::TensorProto_DataType_INT8;
            break;
        case torch::kByte:
            dtype = onnx::TensorProto_DataType_UINT8;
            break;
        case torch::kInt:
            dtype = onnx::TensorProto_DataType_INT32;
            break;
        case torch::kLong:
            dtype = onnx::TensorProto_DataType_INT64;
            break;
        default:
            throw Error("ONNX export: unsupported tensor type for " + base);
        }
        return tensor(base, dtype, dims, c.data_ptr(), std::size_t(c.numel()) * std::size_t(c.element_size()));
    }
    std::string tensor(const std::string& base, const torch::Tensor& t) { return tensor(base, t, t.sizes().vec()); }

    onnx::NodeProto* node(const std::string& op, const std::vector<std::string>& inputs, const std::string& output)
    {
        auto* n = g_->add_node();
        n->set_op_type(op);
        n->set_name("n" + std::to_string(g_->node_size() - 1)); // short: names add up in a small model
        for (const auto& i : inputs)
            n->add_input(i);
        n->add_output(output);
        return n;
    }

    static void attr(onnx::NodeProto* n, const std::string& name, std::int64_t v)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto_AttributeType_INT);
        a->set_i(v);
    }
    static void attr(onnx::NodeProto* n, const std::string& name, const std::vector<std::int64_t>& v)
    {
        auto* a = n->add_attribute();
        a->set_name(name);
        a->set_type(onnx::AttributeProto_AttributeType_INTS);
        for (auto x : v)
            a->add_ints(x);
    }

private:
    onnx::GraphProto* g_;
    std::map<std::string, int> used_;
};

/// A tensor flowing through the graph: its name and (INT8) the activation site that quantized it.
struct Value {
    std::string name;
    int site = -1;
};

/// The walker's ops emitting ONNX nodes. FP32: plain float ops on the folded network. INT8: every
/// activation site's output goes through QuantizeLinear -> DequantizeLinear with the site's uint8
/// parameters; weights are int8 initializers dequantized per channel, biases int32 on the input x
/// weight scale grid. ONNX Runtime and TensorRT fuse those patterns into integer kernels.
struct OnnxOps {
    GraphBuilder& b;
    const OnnxSource& src;
    std::vector<std::string> siteNames;
    std::vector<std::string> siteScale, siteZero; // per-site initializers (INT8), created on first use

    bool int8() const { return src.int8 != nullptr; }

    std::string scalarFloat(const std::string& base, float v)
    {
        return b.tensor(base, onnx::TensorProto_DataType_FLOAT, {}, &v, sizeof v);
    }

    Value qdq(const std::string& x, int site)
    {
        if (!int8()) return {x, site};
        const auto& p = src.int8->siteParams.at(size_t(site));
        if (p.zeroPoint < 0 || p.zeroPoint > 255 || !(p.scale > 0) || !std::isfinite(p.scale))
            throw ConfigError("ONNX export: activation site " + siteNames[size_t(site)] +
                              " has quantization parameters that uint8 QuantizeLinear cannot express (scale " +
                              std::to_string(p.scale) + ", zero point " + std::to_string(p.zeroPoint) + ")");
        if (siteScale[size_t(site)].empty()) {
            const float s = float(p.scale);
            const std::uint8_t z = std::uint8_t(p.zeroPoint);
            siteScale[size_t(site)] =
                b.tensor(siteNames[size_t(site)] + ".scale", onnx::TensorProto_DataType_FLOAT, {}, &s, 4);
            siteZero[size_t(site)] =
                b.tensor(siteNames[size_t(site)] + ".zero_point", onnx::TensorProto_DataType_UINT8, {}, &z, 1);
        }
        const auto q = b.unique(siteNames[size_t(site)] + ".q");
        b.node("QuantizeLinear", {x, siteScale[size_t(site)], siteZero[size_t(site)]}, q);
        const auto dq = b.unique(siteNames[size_t(site)] + ".dq");
        b.node("DequantizeLinear", {q, siteScale[size_t(site)], siteZero[size_t(site)]}, dq);
        return {dq, site};
    }

    std::string out(int site) { return b.unique(siteNames[size_t(site)]); }

    /// Weight (and bias) inputs of a convolution or the classifier: float initializers (FP32), or
    /// int8 / int32 initializers each followed by a per-channel DequantizeLinear (INT8).
    std::vector<std::string> weights(const std::string& key, const torch::Tensor& w, const torch::Tensor& bias,
                                     const Value& input)
    {
        if (!int8()) {
            std::vector<std::string> in{b.tensor(key + ".weight", w.to(torch::kFloat))};
            if (bias.defined()) in.push_back(b.tensor(key + ".bias", bias.to(torch::kFloat)));
            return in;
        }
        const auto& layer = src.int8->layers.at(key);
        const auto outCh = layer.weight.size(0);
        const bool perChannel = layer.weightScale.numel() == outCh && !src.int8->perTensor;
        auto scaleDims = perChannel ? std::vector<std::int64_t>{outCh} : std::vector<std::int64_t>{};
        const auto wScale = perChannel ? layer.weightScale : layer.weightScale.reshape({});
        // Symmetric weights and int32 biases have zero points of 0, DequantizeLinear's default: they
        // are left out (5 bytes per output channel, a sixth of the INT8 file of a small PhiNet).
        const auto wq = b.tensor(key + ".weight_quantized", layer.weight);
        const auto ws = b.tensor(key + ".weight_scale", wScale, scaleDims);
        const auto wdq = b.unique(key + ".weight");
        auto* n = b.node("DequantizeLinear", {wq, ws}, wdq);
        if (perChannel) GraphBuilder::attr(n, "axis", std::int64_t(0));
        std::vector<std::string> in{wdq};
        if (layer.bias.defined()) {
            // The bias scale is input scale x weight scale: computed in the graph from the two
            // initializers already there (constant-folded by every runtime) instead of stored again.
            const auto& inScale = siteScale.at(size_t(input.site));
            if (inScale.empty()) throw Error("ONNX export: " + key + " has no quantized input");
            const auto bq = b.tensor(key + ".bias_quantized", layer.bias);
            const auto bs = b.unique(key + ".bias_scale");
            b.node("Mul", {inScale, ws}, bs);
            const auto bdq = b.unique(key + ".bias");
            auto* bn = b.node("DequantizeLinear", {bq, bs}, bdq);
            if (perChannel) GraphBuilder::attr(bn, "axis", std::int64_t(0));
            in.push_back(bdq);
        }
        return in;
    }

    Value input(const Value& x, int site)
    {
        const auto& n = src.normalisation;
        const int c = src.plan.config.input[0];
        auto mean = torch::tensor(std::vector<float>(n.mean.begin(), n.mean.end())).reshape({1, c, 1, 1});
        auto stdv = torch::tensor(std::vector<float>(n.std.begin(), n.std.end())).reshape({1, c, 1, 1});
        const auto centred = b.unique("normalise.sub");
        b.node("Sub", {x.name, b.tensor("normalise.mean", mean)}, centred);
        const auto scaled = out(site);
        b.node("Div", {centred, b.tensor("normalise.std", stdv)}, scaled);
        return qdq(scaled, site);
    }

    Value pad(const Value& x, const std::array<int, 4>& p)
    {
        // ZeroPad2d (left, right, top, bottom) -> ONNX pads (N, C, H, W begins, then ends)
        const auto pads = torch::tensor(std::vector<std::int64_t>{0, 0, p[2], p[0], 0, 0, p[3], p[1]});
        const auto y = b.unique(x.name + ".pad");
        b.node("Pad", {x.name, b.tensor("pads", pads)}, y);
        return {y, x.site}; // zero is exactly representable: the input's parameters still hold
    }

    Value dropout(const Value& x) { return x; }

    static std::string convKey(ConvSlot s, int block)
    {
        static const char* names[] = {"stem.dw", "stem.pw", "expand", "dw", "se_reduce", "se_expand", "project"};
        return block < 0 ? names[int(s)] : "blocks." + std::to_string(block) + "." + names[int(s)];
    }

    Value conv(ConvSlot s, int block, const Value& x, int site)
    {
        const auto& fc = src.fp32 ? src.fp32->conv(s, block) : src.int8->geometry.at(convKey(s, block));
        const auto key = convKey(s, block);
        const auto inputs = [&] {
            std::vector<std::string> in{x.name};
            for (auto& w : weights(key, fc.weight, fc.bias, x))
                in.push_back(w);
            return in;
        }();
        const auto y = out(site);
        auto* n = b.node("Conv", inputs, y);
        const auto k = int64_t(int8() ? src.int8->layers.at(key).weight.size(2) : fc.weight.size(2));
        GraphBuilder::attr(n, "kernel_shape", std::vector<std::int64_t>{k, k});
        GraphBuilder::attr(n, "strides", std::vector<std::int64_t>{fc.stride, fc.stride});
        GraphBuilder::attr(n, "pads", std::vector<std::int64_t>{fc.padding, fc.padding, fc.padding, fc.padding});
        GraphBuilder::attr(n, "group", std::int64_t(fc.groups));
        return qdq(y, site);
    }

    Value act(const Value& x, int site)
    {
        const auto y = out(site);
        if (src.plan.config.hSwish)
            b.node("HardSwish", {x.name}, y);
        else
            b.node("Clip", {x.name, scalarFloat("relu6.min", 0.f), scalarFloat("relu6.max", 6.f)}, y);
        return qdq(y, site);
    }

    Value pool(const Value& x, int site)
    {
        const auto y = out(site);
        b.node("GlobalAveragePool", {x.name}, y);
        return qdq(y, site);
    }

    Value sigmoid(const Value& x, int site)
    {
        const auto y = out(site);
        b.node("Sigmoid", {x.name}, y);
        return qdq(y, site);
    }

    void checkBinary(const Value& a, const Value& c, int site, const char* op)
    {
        // QNNPACK's add and mul widen an output scale below max(input scales)/255; a QDQ graph holds
        // the site's scale, so it would compute something else than the file's runtime.
        if (!int8() || !src.int8->qnnpack) return;
        const double hi =
            std::max(src.int8->siteParams.at(size_t(a.site)).scale, src.int8->siteParams.at(size_t(c.site)).scale);
        if (src.int8->siteParams.at(size_t(site)).scale < hi / 255.0)
            throw ConfigError(
                std::string("ONNX export: the ") + op + " at " + siteNames[size_t(site)] +
                " cannot be expressed in QDQ form: this QNNPACK INT8 model widens its output scale at run "
                "time (inputs' scale over 255 times its own); quantize with the ONEDNN engine to export it");
    }

    Value mul(const Value& a, const Value& c, int site)
    {
        checkBinary(a, c, site, "Mul");
        const auto y = out(site);
        b.node("Mul", {a.name, c.name}, y);
        return qdq(y, site);
    }

    Value add(const Value& a, const Value& c, int site)
    {
        checkBinary(a, c, site, "Add");
        const auto y = out(site);
        b.node("Add", {a.name, c.name}, y);
        return qdq(y, site);
    }

    Value linear(const Value& x, int site)
    {
        const auto flat = b.unique("head.flatten");
        GraphBuilder::attr(b.node("Flatten", {x.name}, flat), "axis", std::int64_t(1));
        std::vector<std::string> in{flat};
        const torch::Tensor w = src.fp32 ? src.fp32->fcWeight : torch::Tensor();
        const torch::Tensor bias = src.fp32 ? src.fp32->fcBias : torch::Tensor();
        for (auto& t : weights("classifier", w, bias, x))
            in.push_back(t);
        const auto y = out(site);
        GraphBuilder::attr(b.node("Gemm", in, y), "transB", std::int64_t(1));
        return qdq(y, site);
    }

    Value output(const Value& x)
    {
        b.node("Identity", {x.name}, "logits");
        return {"logits", x.site};
    }
};

void setShape(onnx::ValueInfoProto* v, const std::string& name, const std::vector<std::int64_t>& dims)
{
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto_DataType_FLOAT);
    auto* shape = tt->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (auto d : dims)
        shape->add_dim()->set_dim_value(d);
}

void meta(onnx::ModelProto& m, const std::string& key, const std::string& value)
{
    auto* p = m.add_metadata_props();
    p->set_key(key);
    p->set_value(value);
}

} // namespace

OnnxModel buildOnnx(const OnnxSource& src)
{
    const auto& plan = src.plan;
    const auto& cfg = plan.config;
    const int c = cfg.input[0];
    if (int(src.normalisation.mean.size()) != c || int(src.normalisation.std.size()) != c)
        throw ConfigError("ONNX export: the data set's normalisation has " +
                          std::to_string(src.normalisation.mean.size()) + " channels, the model takes " +
                          std::to_string(c));
    onnx::ModelProto m;
    m.set_ir_version(onnx::IR_VERSION);
    m.set_producer_name("phinet-workbench");
    m.set_producer_version(PHINET_VERSION);
    m.set_domain("org.phinet.workbench");
    m.set_model_version(1);
    m.set_doc_string(std::string(src.int8 ? "INT8 (QDQ)" : "FP32") + " PhiNet (" + toString(cfg.variant) +
                     ") exported by the PhiNet Quantization Workbench. Input: float32 N x C x H x W images in [0, 1]; "
                     "the data set's normalisation is the graph's first ops. Output: logits.");
    auto* opset = m.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpset);
    auto* g = m.mutable_graph();
    g->set_name(std::string("phinet_") + (src.int8 ? "int8" : "fp32"));
    setShape(g->add_input(), "input", {cfg.input[0], cfg.input[1], cfg.input[2]});
    if (plan.head.present) {
        setShape(g->add_output(), "logits", {plan.head.numClasses});
    } else {
        const auto& last = plan.blocks.back();
        setShape(g->add_output(), "logits", {last.outChannels, last.outH, last.outW});
    }
    GraphBuilder b(g);
    OnnxOps ops{b, src, activationSites(plan), {}, {}};
    ops.siteScale.resize(ops.siteNames.size());
    ops.siteZero.resize(ops.siteNames.size());
    walkPhiNet(plan, ops, Value{"input", -1});

    json norm{{"mean", src.normalisation.mean}, {"std", src.normalisation.std}};
    meta(m, "phinet_config", toJson(cfg).dump());
    meta(m, "classes", json(src.classes).dump());
    meta(m, "workbench_version", PHINET_VERSION);
    meta(m, "precision", src.int8 ? "int8-qdq" : "fp32");
    meta(m, "batchnorm", "folded into the convolutions");
    meta(m, "normalisation", norm.dump());
    meta(m, "input", "float32 N x C x H x W, values in [0, 1]; normalised inside the graph");
    meta(m, "output", plan.head.present ? "logits N x classes" : "features");
    if (src.int8)
        meta(m, "quantization",
             json{{"weights", src.int8->perTensor ? "int8 per-tensor symmetric" : "int8 per-channel symmetric"},
                  {"activations", "uint8 affine per tensor"},
                  {"biases", "int32, scale = input scale x weight scale"},
                  {"engine", src.int8->qnnpack ? "qnnpack" : "onednn"}}
                 .dump());
    try {
        onnx::checker::check_model(m);
    } catch (const std::exception& e) {
        throw Error(std::string("ONNX export: onnx::checker rejected the model: ") + e.what());
    }
    OnnxModel out;
    if (!m.SerializeToString(&out.bytes)) throw Error("ONNX export: the model could not be serialised");
    out.nodes = g->node_size();
    out.initializers = g->initializer_size();
    return out;
}

} // namespace phinet::detail
