// ort_bench.js - times ONNX Runtime (onnxruntime-node, CPU, THREADS
// intra-op threads (default 1), all graph optimizations) on a model, the
// same way bench_main.c times the generated C: one warm-up call, then RUNS
// timed calls, median.
//
// usage: node bench/ort_bench.js MODEL.onnx RUNS DIM,DIM,... [THREADS]
// prints "MEDIAN_MS MIN_MS CHECKSUM" like bench_main.c.  The module is
// found through NODE_PATH (see bench/README.md).
'use strict';
const ort = require('onnxruntime-node');

async function main() {
    const [model, runsArg, dimsArg, threadsArg] = process.argv.slice(2);
    const runs = parseInt(runsArg || '11', 10);
    const dims = (dimsArg || '').split(',').map(Number);
    const threads = parseInt(threadsArg || '1', 10);
    if (!model || !(runs > 0) || dims.some((d) => !(d >= 0)) || !(threads > 0)) {
        console.error('usage: node ort_bench.js MODEL.onnx RUNS DIM,DIM,... [THREADS]');
        process.exit(2);
    }
    const session = await ort.InferenceSession.create(model, {
        intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    });
    // The input pattern of bench_main.c: a 32-bit LCG, bits 8..23 to [-1, 1).
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    let state = 12345;
    for (let i = 0; i < data.length; i++) {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        data[i] = ((state >>> 8) & 0xffff) / 32768 - 1;
    }
    const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
    let out = await session.run(feeds);
    const ms = [];
    for (let r = 0; r < runs; r++) {
        const t0 = process.hrtime.bigint();
        out = await session.run(feeds);
        ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    ms.sort((a, b) => a - b);
    let checksum = 0;
    for (const v of out[session.outputNames[0]].data)
        checksum += v;
    console.log(`${ms[Math.floor(runs / 2)].toFixed(3)} ${ms[0].toFixed(3)} ${checksum.toPrecision(9)}`);
}

main().catch((e) => {
    console.error(`ort_bench.js: ${e.message}`);
    process.exit(1);
});
