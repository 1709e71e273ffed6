#!/usr/bin/env node
// Runs an ONNX model in ONNX Runtime (npm onnxruntime-node, CPU) for the workbench's tests.
//   node run_onnx.js MODEL.onnx INPUT.f32 N C H W OUTPUT.f32 [BATCH]
// INPUT holds N float32 images (N x C x H x W, little-endian); OUTPUT gets the "logits" output as
// float32. Runs in batches (default 256) to check the dynamic batch dimension. Prints one JSON line
// with the output shape and the graph's input and output names.
'use strict';
const fs = require('fs');
let ort;
try {
  ort = require('onnxruntime-node');
} catch (e) {
  console.error('run_onnx.js: onnxruntime-node is not installed next to this script (scripts/setup installs it): ' + e.message);
  process.exit(3);
}

async function main() {
  const [model, input, n, c, h, w, output, batchArg] = process.argv.slice(2);
  if (!output) {
    console.error('usage: run_onnx.js MODEL.onnx INPUT.f32 N C H W OUTPUT.f32 [BATCH]');
    process.exit(2);
  }
  const N = +n, C = +c, H = +h, W = +w, batch = +(batchArg || 256);
  const buf = fs.readFileSync(input);
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  if (all.length !== N * C * H * W) throw new Error(`input holds ${all.length} floats, expected ${N * C * H * W}`);
  const session = await ort.InferenceSession.create(model, {intraOpNumThreads: 1, graphOptimizationLevel: 'all'});
  const chunks = [];
  let classes = 0;
  for (let i = 0; i < N; i += batch) {
    const m = Math.min(batch, N - i);
    const x = new ort.Tensor('float32', all.subarray(i * C * H * W, (i + m) * C * H * W), [m, C, H, W]);
    const r = await session.run({input: x});
    const y = r.logits;
    classes = y.dims[1];
    chunks.push(Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  }
  fs.writeFileSync(output, Buffer.concat(chunks));
  console.log(JSON.stringify({outputs: [N, classes], inputNames: session.inputNames, outputNames: session.outputNames,
                              ortVersion: ort.env.versions ? ort.env.versions.common : undefined}));
}

main().catch((e) => {
  console.error('run_onnx.js: ' + (e && e.message ? e.message : e));
  process.exit(1);
});
