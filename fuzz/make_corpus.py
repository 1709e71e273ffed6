#!/usr/bin/env python3
"""Writes the hand-made seeds of fuzz/corpus/ (small valid files and hostile ones). The model-file
seeds (real FP32 checkpoints and INT8 files) come from the `phinet` CLI: pass their folder with
--models DIR (m.ckpt, orig.ckpt, m.int8, orig.int8, made by `phinet train` on the bundled subset with
--alpha 0.25 --t0 4 --layers 4 --epochs 1 --limit-train 128 and `phinet quantize --method ptq`), and
the fuzz_state config with --state-config FILE (`build-fuzz/fuzz/fuzz_state --print-config`) and a
real run's state.json with --state FILE.

    fuzz/make_corpus.py --models DIR --state-config FILE --state FILE
"""
import argparse
import gzip
import json
import os
import struct
import zlib

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
corpus = os.path.join(here, "corpus")


def put(target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def idx(dims, payload, code=0x08):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", x) for x in dims) + payload


def png(w, h, color_type, rows):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + r for r in rows)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def bmp(w, h):
    row = (bytes([10, 200, 30]) * w).ljust((w * 3 + 3) // 4 * 4, b"\x00")
    pixels = row * h
    header = b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 24, 0, len(pixels), 2835, 2835, 0, 0)
    return header + info + pixels


def safetensors(header, data=b""):
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + data


def rewrite_meta(content, change):
    """A model file with its metadata's JSON "meta" (or "config") entry changed by `change`."""
    n = struct.unpack("<Q", content[:8])[0]
    header = json.loads(content[8:8 + n])
    change(header)
    return safetensors(header, content[8 + n:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models")
    ap.add_argument("--state-config")
    ap.add_argument("--state")
    a = ap.parse_args()

    # ---- IDX: mode byte, [label length], files ----
    images = gzip.open(os.path.join(root, "resources/data/mnist-subset/t10k-images-idx3-ubyte.gz")).read()
    labels = gzip.open(os.path.join(root, "resources/data/mnist-subset/t10k-labels-idx1-ubyte.gz")).read()
    n = 3
    img = idx([n, 28, 28], images[16:16 + n * 784])
    lbl = idx([n], labels[8:8 + n])
    put("fuzz_idx", "one-raw", b"\x00" + img)
    put("fuzz_idx", "one-gz", b"\x00" + gzip.compress(img))
    put("fuzz_idx", "pair-raw", b"\x01" + struct.pack("<H", len(lbl)) + lbl + img)
    gl = gzip.compress(lbl)
    put("fuzz_idx", "pair-test-gz", b"\x07" + struct.pack("<H", len(gl)) + gl + gzip.compress(img))
    put("fuzz_idx", "huge-dims", b"\x00" + idx([1, 1, 268435456], b"\x00" * 16))
    put("fuzz_idx", "overflow-dims", b"\x00" + idx([0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], b""))
    put("fuzz_idx", "int32-type", b"\x00" + idx([2], b"\x00" * 8, code=0x0C))
    put("fuzz_idx", "zero-dims", b"\x00" + idx([], b"\x05"))
    # 16 Mi labels from 16 KB of gzip: widened to int64 that is 128 MiB
    many = idx([1 << 24], bytes(1 << 24))
    put("fuzz_idx", "label-bomb-gz", b"\x05" + struct.pack("<H", 0) + gzip.compress(many, 9))
    put("fuzz_idx", "pair-label-10", b"\x01" + struct.pack("<H", 9) + idx([1], b"\x0a") + idx([1, 2, 2], b"\x01\x02\x03\x04"))

    # ---- CIFAR-10 binary: mode byte, [meta length, meta], records ----
    rec = bytes([3]) + bytes((i * 7) & 0xFF for i in range(3072))
    put("fuzz_cifar", "test-1", b"\x00" + rec)
    put("fuzz_cifar", "train-2", b"\x01" + rec + bytes([9]) + rec[1:])
    meta = b"airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n"
    put("fuzz_cifar", "test-meta", b"\x02" + bytes([len(meta)]) + meta + rec)
    put("fuzz_cifar", "meta-3-names", b"\x02" + bytes([6]) + b"a\nb\nc\n" + rec)
    put("fuzz_cifar", "truncated", b"\x00" + rec[:-1])
    put("fuzz_cifar", "label-200", b"\x00" + bytes([200]) + rec[1:])

    # ---- image folders: h, w (u16 LE), flags, image ----
    def imgseed(h, w, flags, data):
        return struct.pack("<HHB", h, w, flags) + data
    grey = png(2, 2, 0, [b"\x00\xff", b"\xff\x00"])
    rgb = png(4, 3, 2, [bytes(range(i * 12, i * 12 + 12)) for i in range(3)])
    put("fuzz_imagefolder", "png-grey-native", imgseed(0, 0, 0, grey))
    put("fuzz_imagefolder", "png-rgb-resize-8x8", imgseed(8, 8, 1, rgb))
    put("fuzz_imagefolder", "png-test-split", imgseed(0, 0, 8 | 16, rgb))
    put("fuzz_imagefolder", "bmp-5x3", imgseed(3, 5, 6 | 1, bmp(5, 3)))
    put("fuzz_imagefolder", "png-30000-resize", imgseed(30000, 30000, 1, grey))
    put("fuzz_imagefolder", "png-8192-resize", imgseed(8192, 8192, 1, grey))
    put("fuzz_imagefolder", "png-26800", imgseed(26800, 26800, 1, rgb))
    put("fuzz_imagefolder", "png-no-resize-mismatch", imgseed(4, 4, 16, rgb))
    hdr = png(100000, 100000, 2, [])[:33]  # header of a 100000x100000 image, no data
    put("fuzz_imagefolder", "png-huge-header", imgseed(0, 0, 0, hdr))
    jpg = os.path.join(here, "..", "build-fuzz", "seed.jpg")
    if os.system(f"convert -size 6x5 gradient:red-blue -quality 50 '{jpg}' 2>/dev/null") == 0:
        put("fuzz_imagefolder", "jpg-6x5", imgseed(0, 0, 2, open(jpg, "rb").read()))
        put("fuzz_imagefolder", "jpeg-resize-3x7", imgseed(3, 7, 4 | 1, open(jpg, "rb").read()))

    # ---- safetensors (the parser alone) ----
    f32 = struct.pack("<4f", 1, 2, 3, 4)
    put("fuzz_safetensors", "two-tensors", safetensors(
        {"a": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]},
         "b": {"dtype": "I8", "shape": [3], "data_offsets": [16, 19]},
         "__metadata__": {"format": "test", "k": "v"}}, f32 + b"\x01\x02\x03"))
    put("fuzz_safetensors", "empty", safetensors({}))
    put("fuzz_safetensors", "all-dtypes", safetensors(
        {"f64": {"dtype": "F64", "shape": [1], "data_offsets": [0, 8]},
         "u8": {"dtype": "U8", "shape": [1, 1], "data_offsets": [8, 9]},
         "i32": {"dtype": "I32", "shape": [], "data_offsets": [9, 13]},
         "i64": {"dtype": "I64", "shape": [0, 5], "data_offsets": [13, 13]}}, bytes(13)))
    put("fuzz_safetensors", "overlap", safetensors(
        {"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
         "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)))
    put("fuzz_safetensors", "huge-shape", safetensors(
        {"a": {"dtype": "F32", "shape": [4294967296, 4294967296, 4], "data_offsets": [0, 0]}}))
    put("fuzz_safetensors", "header-too-long", struct.pack("<Q", 1 << 62) + b"{}")
    deep = b"[" * 100 + b"]" * 100
    put("fuzz_safetensors", "deep-json", struct.pack("<Q", len(deep)) + deep)

    # ---- configs: mode byte + JSON ----
    presets = os.path.join(root, "resources/presets")
    for name in sorted(os.listdir(presets)):
        text = open(os.path.join(presets, name), "rb").read()
        j = json.loads(text)
        if name in ("quick.json", "sweep-quick.json"):
            put("fuzz_config", "preset-" + name, b"\x02" + text)
        body = dict(j)
        for k in ("kind", "description"):
            body.pop(k, None)
        compact = json.dumps(body, separators=(",", ":")).encode()
        put("fuzz_config", ("sweep-" if j.get("kind") == "sweep" else "study-") + name,
            (b"\x01" if j.get("kind") == "sweep" else b"\x00") + compact)
    put("fuzz_config", "config-file-min", b"\x03" + b'{"model":{"alpha":0.5}}')
    put("fuzz_config", "alpha-400", b"\x00" + b'{"model":{"input":[3,224,224],"alpha":400}}')
    put("fuzz_config", "threads-100000", b"\x00" + b'{"training_modified":{"threads":100000}}')
    put("fuzz_config", "narrowing", b"\x00" + b'{"training_original":{"epochs":4294967297,"batch_size":2.9}}')
    put("fuzz_config", "deep-alpha", b"\x00" + b'{"model":{"alpha":' + b"[" * 300 + b"]" * 300 + b"}}")
    put("fuzz_config", "image-size", b"\x00" + b'{"data":{"dataset":"folder","image_size":[26800,26800]}}')
    put("fuzz_config", "sweep-values", b"\x01" + b'{"knob":"num_layers","values":[1e300,-1,2147483648]}')
    put("fuzz_config", "preset-bad-kind", b"\x02" + b'{"kind":"nope","name":"../x"}')

    # ---- FP32 checkpoints and INT8 files (real ones from the CLI, and edits) ----
    if a.models:
        def meta_edit(key, field_path, value):
            def change(h):
                m = h["__metadata__"]
                inner = json.loads(m[key])
                node = inner
                for p in field_path[:-1]:
                    node = node[p]
                node[field_path[-1]] = value
                m[key] = json.dumps(inner)
            return change
        for name, target in (("m.ckpt", "fuzz_checkpoint"), ("orig.ckpt", "fuzz_checkpoint"),
                             ("m.int8", "fuzz_int8"), ("orig.int8", "fuzz_int8")):
            content = open(os.path.join(a.models, name), "rb").read()
            put(target, name, content)
            if name == "m.int8":
                put("fuzz_safetensors", "int8-file", content)
        ck = open(os.path.join(a.models, "m.ckpt"), "rb").read()
        n = struct.unpack("<Q", ck[:8])[0]
        meta = json.loads(ck[8:8 + n])["__metadata__"]
        key = "meta" if "meta" in meta else sorted(meta)[0]
        for label, path, value in (("alpha-1000", ["model", "alpha"], 1000.0),
                                   ("input-8192", ["model", "input"], [3, 8192, 8192]),
                                   ("classes-0", ["model", "num_classes"], 0)):
            try:
                put("fuzz_checkpoint", "m-" + label, rewrite_meta(ck, meta_edit(key, path, value)))
            except (KeyError, TypeError, json.JSONDecodeError):
                pass
        q = open(os.path.join(a.models, "m.int8"), "rb").read()
        n = struct.unpack("<Q", q[:8])[0]
        qmeta = json.loads(q[8:8 + n])["__metadata__"]
        if "model" in qmeta:  # the INT8 file's config is the metadata's "model" entry
            def int8_edit(field, value):
                def change(h):
                    inner = json.loads(h["__metadata__"]["model"])
                    inner[field] = value
                    h["__metadata__"]["model"] = json.dumps(inner)
                return change
            put("fuzz_int8", "m-alpha-1000", rewrite_meta(q, int8_edit("alpha", 1000.0)))
            put("fuzz_int8", "m-input-3ch", rewrite_meta(q, int8_edit("input", [3, 28, 28])))
        def set_meta(key, value):
            def change(h):
                h["__metadata__"][key] = value
            return change
        put("fuzz_int8", "m-per-tensor", rewrite_meta(q, set_meta("weights", "per-tensor")))
        put("fuzz_int8", "m-qnnpack", rewrite_meta(q, set_meta("engine", "qnnpack")))

    # ---- state.json (fixed config of fuzz_state) ----
    if a.state_config:
        cfg = json.load(open(a.state_config))
        rows = {}
        if a.state:
            rows = json.load(open(a.state)).get("rows", {})
        def st(obj):
            return json.dumps(obj, separators=(",", ":"))
        put("fuzz_state", "empty-run", st({"config": cfg, "done": [], "rows": {}}))
        put("fuzz_state", "run-id", st({"config": cfg, "done": ["train-original"], "rows": {}, "run_id": 1}))
        for model, row in rows.items():
            put("fuzz_state", "row-" + model, st({"config": cfg, "done": ["train-original", "ptq"], "rows": {model: row}}))
        put("fuzz_state", "no-rows", st({"config": cfg, "done": []}))
        put("fuzz_state", "run-id-overflow", st({"config": cfg, "done": [], "rows": {}, "run_id": 4294967297}))
        put("fuzz_state", "other-config", st({"config": {"name": "x"}, "done": [], "rows": {}}))


if __name__ == "__main__":
    main()
