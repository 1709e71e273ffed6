#!/usr/bin/env python3
"""PyTorch reference for the workbench's safetensors export.

Builds a PhiNet module the way micromind builds it (micromind/networks/phinet.py of
github.com/micromind-toolkit/micromind: release 0.0.5 for the ORIGINAL layout, the layout since
commit 972a3ae with `divisor` for MODIFIED), loads a safetensors file into it with
load_state_dict(strict=True) and writes the logits of a raw float32 input.

    reference_phinet.py MODEL.safetensors INPUT.f32 N OUTPUT.f32

The input holds N already normalised images (C x H x W from the file's metadata), the output N x
classes float32 logits. Needs only Debian's python3-torch (the safetensors layout is read by hand).
"""
import json
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32,
          "I8": torch.int8, "U8": torch.uint8}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    body = data[8 + n:]
    tensors = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        t = torch.frombuffer(bytearray(body[b:end]), dtype=DTYPES[e["dtype"]]) if end > b else \
            torch.empty(0, dtype=DTYPES[e["dtype"]])
        tensors[name] = t.reshape(e["shape"]).clone()
    return tensors, meta


def make_divisible(v, divisor=8, min_value=None):
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def correct_pad(shape, k):
    adjust = (1 - shape[0] % 2, 1 - shape[1] % 2)
    c = (k // 2, k // 2)
    return (int(c[1] - adjust[1]), int(c[1]), int(c[0] - adjust[0]), int(c[0]))


def expansion_factor(t0, beta, i, n):
    return (t0 * beta) * i / n + t0 * (n - i) / n


def activation(h_swish):
    return nn.Hardswish() if h_swish else nn.Hardtanh(0.0, 6.0)


class SEBlock(nn.Module):
    def __init__(self, cin, cmid, h_swish):
        super().__init__()
        self.se_conv = nn.Conv2d(cin, cmid, 1, bias=False)
        self.se_conv2 = nn.Conv2d(cmid, cin, 1, bias=False)
        self.activation = activation(h_swish)

    def forward(self, x):
        g = F.adaptive_avg_pool2d(x, (1, 1))
        g = torch.sigmoid(self.se_conv2(self.activation(self.se_conv(g))))
        return x * g


class SeparableConv2d(nn.Module):
    def __init__(self, cin, cout, stride, h_swish):
        super().__init__()
        self._layers = nn.ModuleList([
            nn.Conv2d(cin, cin, 3, stride=stride, padding=0, groups=cin, bias=False),
            nn.Conv2d(cin, cout, 1, bias=False),
            nn.BatchNorm2d(cout, eps=1e-3, momentum=0.999),
            activation(h_swish)])

    def forward(self, x):
        for layer in self._layers:
            x = layer(x)
        return x


class PhiNetConvBlock(nn.Module):
    def __init__(self, cin, expansion, stride, filters, has_se, block_id, res, h_swish, k, layout, divisor):
        super().__init__()
        original = layout == "micromind-0.0.5"
        rnd = (lambda v: v) if original else (lambda v: make_divisible(v, divisor=divisor))
        self._layers = nn.ModuleList()
        ce = rnd(int(expansion * cin)) if block_id else cin
        if block_id:
            self._layers.extend([nn.Conv2d(cin, ce, 1, bias=False), nn.BatchNorm2d(ce, eps=1e-3, momentum=0.999),
                                 activation(h_swish)])
        pad = correct_pad([res, res], 3) if stride == 2 else None
        if original and stride == 2:
            self._layers.append(nn.ZeroPad2d(pad))
        self._layers.append(nn.Dropout2d(0.05))
        if stride == 1:
            padding = k // 2
        else:
            padding = 0 if original else (pad[1], pad[3])
        self._layers.extend([nn.Conv2d(ce, ce, k, stride=stride, padding=padding, groups=ce, bias=False),
                             nn.BatchNorm2d(ce, eps=1e-3, momentum=0.999), activation(h_swish)])
        if has_se:
            cr = max(1, int(expansion * cin / 6)) if original else rnd(max(1, int(ce / 6)))
            self._layers.append(SEBlock(ce, cr, h_swish))
        self._layers.extend([nn.Conv2d(ce, filters, 1, bias=False), nn.BatchNorm2d(filters, eps=1e-3, momentum=0.999)])
        self.skip = res and cin == filters and stride == 1

    def forward(self, x):
        y = x
        for layer in self._layers:
            y = layer(y)
        return y + x if self.skip else y


class PhiNet(nn.Module):
    """micromind's PhiNet (conv2d_input=False, pool=False), layout "micromind-0.0.5" or "micromind-972a3ae"."""

    def __init__(self, args, layout):
        super().__init__()
        original = layout == "micromind-0.0.5"
        divisor = args.get("divisor", 1)
        rnd = (lambda v: v) if original else (lambda v: make_divisible(v, divisor=divisor))
        alpha, beta, t0, n = args["alpha"], args["beta"], args["t_zero"], args["num_layers"]
        h_swish, se, res = args["h_swish"], args["squeeze_excite"], args["residuals"]
        c, h, w = args["input_shape"]
        r = max(h, w)
        down = args["downsampling_layers"]
        conv5 = args["conv5_percent"]
        stride0 = args["first_conv_stride"]
        self._layers = nn.ModuleList([nn.ZeroPad2d(correct_pad([r, r], 3)),
                                      SeparableConv2d(c, rnd(int(48 * alpha)), stride0, h_swish)])

        def block(cin, e, s, f, bid, k=3):
            return PhiNetConvBlock(cin, e, s, f, se if bid else False, bid, res, h_swish, k, layout, divisor)

        b1 = rnd(int(24 * alpha))
        self._layers.append(block(rnd(int(48 * alpha)), 1, 1, b1, None))
        self._layers.append(block(b1, expansion_factor(t0, beta, 1, n), 2, b1, 1))
        self._layers.append(block(b1, expansion_factor(t0, beta, 2, n), 1, b1, 2))
        self._layers.append(block(b1, expansion_factor(t0, beta, 3, n), 2, rnd(int(48 * alpha)), 3))
        bid, filters, cin = 4, 48, rnd(int(48 * alpha))
        while n >= bid:
            if bid in down:
                filters *= 2
            k = 5 if (bid / n) > (1 - conv5) else 3
            self._layers.append(block(cin, expansion_factor(t0, beta, bid, n), 2 if bid in down else 1,
                                      rnd(int(filters * alpha)), bid, k))
            cin = rnd(int(filters * alpha))
            bid += 1
        self.classify = args["include_top"]
        if self.classify:
            self.classifier = nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
                                            nn.Linear(rnd(int(filters * alpha)), args["num_classes"]))

    def forward(self, x):
        for layer in self._layers:
            x = layer(x)
        return self.classifier(x) if self.classify else x


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    model_path, in_path, n, out_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    tensors, meta = read_safetensors(model_path)
    args = json.loads(meta["micromind_args"])
    net = PhiNet(args, meta["layout"])
    net.load_state_dict(tensors, strict=True)
    net.eval()
    c, h, w = args["input_shape"]
    x = torch.from_numpy(np.fromfile(in_path, dtype="<f4")).reshape(n, c, h, w)
    with torch.no_grad():
        y = net(x)
    y.contiguous().numpy().astype("<f4").tofile(out_path)
    print(json.dumps({"layout": meta["layout"], "outputs": list(y.shape),
                      "state_dict_keys": len(net.state_dict())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
