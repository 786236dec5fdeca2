/**
 * Bit-exactness of the WGSL path on whatever adapter this machine has, for a new GPU or driver:
 * every shared case of test/func/cases.ts (the suite every backend passes against the reference
 * engine) under several engine configurations, and optionally the shipped models on real images.
 * One JSON line per (configuration, case, read-out): ok, and where not, the predictions that
 * differ and, per layer, the activity counts that differ (the first such layer localises the
 * kernel at fault: input_dots for layer 0, binary_gather/binary_reg or binary_dots for binary
 * layers, pool_pack for onesOut, classifier_dots for the last).
 *
 *   npx tsx scripts/gpu-verify.ts [--models a.json,b.json] [--images N] [--configs auto,shared,...]
 *
 * ARCHSIM_DAWN_OPTIONS passes Dawn flags (toggles) to the adapter search, to test a driver workaround.
 *
 * Exit code 1 when any comparison differs, 3 when no adapter is found.
 */
import { CASES } from '../src/func/cases.ts';
import { evaluateReference } from '../src/func/reference.ts';
import { caseJob, diffResults, type CheckJob } from '../src/func/selfcheck.ts';
import { createGpuEngine, type GpuEngineOptions } from '../src/gpu/engine.ts';
import { loadModelInputs } from '../src/model/pair.ts';
import { loadModel } from '../src/model/io.ts';

const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const modelFiles = (opt('--models') ?? '').split(',').filter(Boolean);
const modelImages = Number(opt('--images') ?? 1000);
const only = (opt('--configs') ?? '').split(',').filter(Boolean);

const CONFIGS: { name: string; opts: GpuEngineOptions }[] = [
  { name: 'auto', opts: {} },
  { name: 'shared', opts: { binaryKernel: 'shared' } },
  { name: 'shared-vb1', opts: { binaryKernel: 'shared', vectorsPerInvocation: 1 } },
  { name: 'blocked-chunk5', opts: { binaryKernel: 'blocked', maxImagesPerDispatch: 5 } },
].filter((c) => only.length === 0 || only.includes(c.name));

let failures = 0;
const jobs: CheckJob[] = CASES.map(caseJob);
for (const f of modelFiles) {
  const model = loadModel(f);
  const { data } = loadModelInputs(model, f, { images: modelImages });
  jobs.push({ name: f, model, inputs: data, readouts: [{ kind: 'sense' }, { kind: 'adc', rows: 256, bits: 6 }] });
}
const t0 = performance.now();
const want = jobs.map((j) => j.readouts.map((readout) => evaluateReference(j.model, j.inputs, { readout })));

console.log(JSON.stringify({ bench: 'gpu-verify', referenceSeconds: (performance.now() - t0) / 1000, dawnOptions: process.env.ARCHSIM_DAWN_OPTIONS ?? '' }));
for (const cfg of CONFIGS) {
  const engine = await createGpuEngine(cfg.opts);
  if (!engine) {
    console.log(JSON.stringify({ bench: 'gpu-verify', skipped: 'no GPU adapter' }));
    process.exit(3);
  }
  if (cfg === CONFIGS[0]) {
    const i = engine.info;
    console.log(JSON.stringify({ bench: 'gpu-verify', adapter: i.description || i.device, vendor: i.vendor, architecture: i.architecture, backend: i.backend, featureLevel: i.featureLevel, features: i.features, limits: i.limits }));
  }
  let ok = 0;
  let total = 0;
  for (const [ji, j] of jobs.entries()) {
    for (const [ri, readout] of j.readouts.entries()) {
      total++;
      try {
        const got = await engine.evaluate(j.model, j.inputs, { readout });
        const d = diffResults(want[ji]![ri]!, got);
        if (d.ok) ok++;
        else failures++;
        if (!d.ok) console.log(JSON.stringify({ bench: 'gpu-verify', config: cfg.name, case: j.name, readout, ...d, accuracy: [want[ji]![ri]!.accuracy, got.accuracy] }));
      } catch (e) {
        failures++;
        console.log(JSON.stringify({ bench: 'gpu-verify', config: cfg.name, case: j.name, readout, error: String(e) }));
      }
    }
  }
  console.log(JSON.stringify({ bench: 'gpu-verify', config: cfg.name, summary: true, ok, total }));
  await engine.dispose();
}
process.exit(failures ? 1 : 0);
