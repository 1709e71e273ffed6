#!/usr/bin/env python3
"""The reference our users have today: PyTorch eager (Debian's python3-torch 1.13) running the study's
MODIFIED PhiNet, written the way the study's phinet_quant.py builds it (same widths as our core, checked
against the C++ parameter count). The C++ benchmarks call this in the same run, interleaved, so every
ratio they print compares two numbers measured minutes apart on the same machine.

  pytorch_phinet.py train --threads 2 --batch 128 --batches 20 [--data-dir DIR]   images/s
  pytorch_phinet.py eval --threads 2 --batch 256 --images 2560 [--data-dir DIR]    images/s
  pytorch_phinet.py latency --threads 2 --input 1,28,28 --runs 100 --warmup 10     ms (mean/median/p90)
Prints one JSON object."""
import argparse, gzip, json, os, statistics, struct, sys, time

import torch
import torch.nn as nn
import torch.nn.functional as F


def make_divisible(v, d):
    r = max(d, int(v + d / 2) // d * d)
    return r + d if r < 0.9 * v else r


class Block(nn.Module):
    def __init__(self, cin, cout, t, stride, block_id, d, se=True):
        super().__init__()
        self.expand = None
        ce = cin
        if block_id:
            ce = make_divisible(int(t * cin), d)
            self.expand = nn.Sequential(nn.Conv2d(cin, ce, 1, bias=False), nn.BatchNorm2d(ce, eps=1e-3, momentum=0.999), nn.Hardswish())
        self.drop = nn.Dropout2d(0.05)
        self.dw = nn.Sequential(nn.Conv2d(ce, ce, 3, stride, 1, groups=ce, bias=False), nn.BatchNorm2d(ce, eps=1e-3, momentum=0.999), nn.Hardswish())
        self.se = None
        if block_id and se:
            cr = make_divisible(max(1, int(ce / 6)), d)
            self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(ce, cr, 1, bias=False), nn.Hardswish(), nn.Conv2d(cr, ce, 1, bias=False), nn.Sigmoid())
        self.project = nn.Sequential(nn.Conv2d(ce, cout, 1, bias=False), nn.BatchNorm2d(cout, eps=1e-3, momentum=0.999))
        self.residual = cin == cout and stride == 1
        # FloatFunctional, as the study's quantizable network: quantized mul/add after conversion
        self.mul = torch.nn.quantized.FloatFunctional()
        self.add = torch.nn.quantized.FloatFunctional()

    def forward(self, x):
        y = self.expand(x) if self.expand is not None else x
        y = self.dw(self.drop(y))
        if self.se is not None:
            y = self.mul.mul(y, self.se(y))
        y = self.project(y)
        return self.add.add(y, x) if self.residual else y

    def fuse(self):
        for seq in (self.expand, self.dw, self.project):
            if seq is not None:
                torch.ao.quantization.fuse_modules(seq, [["0", "1"]], inplace=True)


class PhiNetModified(nn.Module):
    def __init__(self, input_shape, alpha=3.0, beta=0.75, t0=6.0, n=7, classes=10, d=8):
        super().__init__()
        c = input_shape[0]
        w = lambda f: make_divisible(int(f * alpha), d)
        t = lambda i: t0 * beta * i / n + t0 * (n - i) / n
        self.stem = nn.Sequential(nn.ZeroPad2d((0, 1, 0, 1)), nn.Conv2d(c, c, 3, 2, 0, groups=c, bias=False), nn.Conv2d(c, w(48), 1, bias=False),
                                  nn.BatchNorm2d(w(48), eps=1e-3, momentum=0.999), nn.Hardswish())
        blocks = [Block(w(48), w(24), 1, 1, 0, d), Block(w(24), w(24), t(1), 2, 1, d), Block(w(24), w(24), t(2), 1, 2, d), Block(w(24), w(48), t(3), 2, 3, d)]
        cin, filters = w(48), 48
        for i in range(4, n + 1):
            down = i in (5, 7)
            if down:
                filters *= 2
            blocks.append(Block(cin, w(filters), t(i), 2 if down else 1, i, d))
            cin = w(filters)
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        return self.head(torch.flatten(F.adaptive_avg_pool2d(x, 1), 1))


class Quantizable(nn.Module):
    """QuantStub -> model -> DeQuantStub, as the study wrapped it."""
    def __init__(self, model):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.model = model
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.model(self.quant(x)))


def eager_int8(model, shape, engine):
    """The study's eager-mode recipe: fuse Conv+BN, prepare, calibrate on 20 random inputs, convert."""
    torch.backends.quantized.engine = engine
    model.eval()
    torch.ao.quantization.fuse_modules(model.stem, [["2", "3"]], inplace=True)
    for b in model.blocks:
        b.fuse()
    q = Quantizable(model)
    q.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    torch.ao.quantization.prepare(q, inplace=True)
    with torch.no_grad():
        for _ in range(20):
            q(torch.rand(1, *shape))
    torch.ao.quantization.convert(q, inplace=True)
    return q


def load_mnist(data_dir, split, limit):
    prefix = "train" if split == "train" else "t10k"
    def read(name):
        p = os.path.join(data_dir, name)
        with (gzip.open(p + ".gz", "rb") if os.path.exists(p + ".gz") else open(p, "rb")) as f:
            return f.read()
    img = read(f"{prefix}-images-idx3-ubyte")
    lbl = read(f"{prefix}-labels-idx1-ubyte")
    n = min(limit, struct.unpack(">I", img[4:8])[0])
    x = torch.frombuffer(bytearray(img[16:16 + n * 784]), dtype=torch.uint8).view(n, 1, 28, 28).float().div(255)
    y = torch.frombuffer(bytearray(lbl[8:8 + n]), dtype=torch.uint8).long()
    return (x - 0.1307) / 0.3081, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["train", "eval", "int8-eval", "latency", "int8-latency", "params"])
    ap.add_argument("--engine", default="onednn")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--batches", type=int, default=20)
    ap.add_argument("--images", type=int, default=2560)
    ap.add_argument("--input", default="1,28,28")
    ap.add_argument("--alpha", type=float, default=3.0)
    ap.add_argument("--layers", type=int, default=7)
    ap.add_argument("--t0", type=float, default=6.0)
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--channels-last", action="store_true")
    ap.add_argument("--data-dir", default=os.path.join(os.path.dirname(__file__), "..", "..", "resources", "data", "mnist-subset"))
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    shape = [int(v) for v in a.input.split(",")]
    model = PhiNetModified(shape, alpha=a.alpha, n=a.layers, t0=a.t0)
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    out = {"mode": a.mode, "threads": a.threads, "torch": torch.__version__, "params": sum(p.numel() for p in model.parameters())}
    if a.mode == "train":
        x, y = load_mnist(a.data_dir, "train", a.batch * (a.batches + 3))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        model.train()
        def step(i):
            xb = x[i * a.batch:(i + 1) * a.batch].contiguous(memory_format=fmt)
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), y[i * a.batch:(i + 1) * a.batch])
            loss.backward()
            opt.step()
        for i in range(3):
            step(i)
        t = time.perf_counter()
        for i in range(3, 3 + a.batches):
            step(i)
        out.update(batch=a.batch, images_per_second=a.batch * a.batches / (time.perf_counter() - t))
    elif a.mode in ("eval", "int8-eval"):
        x, y = load_mnist(a.data_dir, "test", a.images)
        model.eval()
        if a.mode == "int8-eval":
            model = eager_int8(model, shape, a.engine)
            out["engine"] = a.engine
        with torch.no_grad():
            model(x[:a.batch].contiguous(memory_format=fmt))
            t = time.perf_counter()
            for i in range(0, len(x), a.batch):
                model(x[i:i + a.batch].contiguous(memory_format=fmt)).argmax(1)
            out.update(batch=a.batch, images_per_second=len(x) / (time.perf_counter() - t))
    elif a.mode in ("latency", "int8-latency"):
        model.eval()
        if a.mode == "int8-latency":
            model = eager_int8(model, shape, a.engine)
            out["engine"] = a.engine
        inp = torch.randn(1, *shape).contiguous(memory_format=fmt)
        for _ in range(a.warmup):
            model(inp)  # the study warms up with gradients on
        times = []
        with torch.no_grad():
            for _ in range(a.runs):
                t = time.perf_counter()
                model(inp)
                times.append((time.perf_counter() - t) * 1000)
        times.sort()
        out.update(batch=1, mean=statistics.mean(times), median=statistics.median(times), p90=times[int(0.9 * (len(times) - 1))])
    print(json.dumps(out))


if __name__ == "__main__":
    sys.exit(main())
