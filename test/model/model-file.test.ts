/**
 * The model file: round trip (embedded and sidecar), and every class of bad file gets exit
 * code 2 and a message naming the file and the JSON path — through the real CLI.
 */
import { mkdtempSync, readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, saveModel, serializeModel } from '../../src/model/io.ts';
import { evaluateReference } from '../../src/func/reference.ts';
import { randomModel, randomPixels } from '../../src/model/random.ts';
import { archsim } from '../helpers/cli.ts';
import { InputError } from '../../src/errors.ts';

const spec = {
  input: { channels: 1, height: 6, width: 6 },
  first: { kind: 'dense' as const, out: 40 },
  hidden: [{ kind: 'dense' as const, out: 30, groups: 4 }],
  classes: 3,
  seed: 7,
};

let dir: string;
let good: Record<string, any>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'archsim-model-'));
  const m = randomModel(spec);
  good = JSON.parse(serializeModel(m, 'm.json', { sidecar: false }).json);
});

function write(name: string, doc: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return p;
}

function mutate(f: (d: any) => void): any {
  const d = structuredClone(good);
  f(d);
  return d;
}

describe('model file round trip', () => {
  it('embedded and sidecar forms load to the same model and the same predictions', () => {
    const m = randomModel(spec);
    const a = join(dir, 'emb.json');
    const b = join(dir, 'side.json');
    saveModel(m, a, { sidecar: false });
    saveModel(m, b, { sidecar: true });
    expect(existsSync(join(dir, 'side.weights.msgpack'))).toBe(true);
    const ma = loadModel(a);
    const mb = loadModel(b);
    const px = randomPixels(1, 5, 36);
    const ra = evaluateReference(ma, { count: 5, pixels: px, labels: null }, { readout: { kind: 'sense' } });
    const rb = evaluateReference(mb, { count: 5, pixels: px, labels: null }, { readout: { kind: 'sense' } });
    const r0 = evaluateReference(m, { count: 5, pixels: px, labels: null }, { readout: { kind: 'sense' } });
    expect(ra.predictionsDigest).toBe(r0.predictionsDigest);
    expect(rb.predictionsDigest).toBe(r0.predictionsDigest);
    expect(Array.from(mb.layers[1]!.weights)).toEqual(Array.from(m.layers[1]!.weights));
    expect(ma.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a failing write leaves nothing behind', () => {
    const m = randomModel(spec);
    const target = join(dir, 'no-such-dir-file', 'x.json');
    writeFileSync(join(dir, 'no-such-dir-file'), 'a file where a folder is needed');
    expect(() => saveModel(m, target)).toThrow();
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });
});

describe('bad model files (loadModel)', () => {
  const cases: [string, () => string, RegExp][] = [
    ['not JSON', () => write('bad1.json', '{"format": "archsim-model", '), /bad1\.json: not valid JSON/],
    ['wrong version', () => write('bad2.json', mutate((d) => (d.version = 2))), /bad2\.json: version: must be 1/],
    ['wrong format name', () => write('bad3.json', mutate((d) => (d.format = 'onnx'))), /bad3\.json: format: must be "archsim-model"/],
    ['unknown key', () => write('bad4.json', mutate((d) => (d.layers[1].grops = 2))), /bad4\.json: layers\[1\]\.grops: unknown key/],
    ['missing key', () => write('bad5.json', mutate((d) => delete d.layers[1].thresholds)), /bad5\.json: layers\[1\]\.thresholds: missing required key/],
    ['groups do not divide', () => write('bad6.json', mutate((d) => (d.layers[1].groups = 7))), /bad6\.json: layers\[1\]\.groups: 7 does not divide 40/],
    [
      'truncated weights',
      () => write('bad7.json', mutate((d) => (d.layers[1].weights.base64 = d.layers[1].weights.base64.slice(0, 40)))),
      /bad7\.json: layers\[1\]\.weights: holds 30 bytes, but length \d+ of u32 needs \d+ bytes \(truncated or corrupt file\)/,
    ],
    ['bad direction', () => write('bad8.json', mutate((d) => (d.layers[1].thresholds.d.base64 = Buffer.alloc(120, 3).toString('base64')))), /bad8\.json: layers\[1\]\.thresholds\.d\[0\]: 3 is not a direction/],
    ['classifier first', () => write('bad9.json', mutate((d) => (d.layers = [d.layers[2], d.layers[1]]))), /bad9\.json: layers\[0\]\.type: the first layer must be "input"/],
    ['wrong dataset', () => write('bad10.json', mutate((d) => (d.dataset = 'imagenet'))), /bad10\.json: dataset: must be one of "mnist", "fashion-mnist", "cifar10"/],
    ['split without baseline', () => write('bad11.json', mutate((d) => (d.baseline = null))), /bad11\.json: baseline: a split model/],
    ['sidecar missing', () => write('bad12.json', mutate((d) => (d.sidecar = { file: 'nope.msgpack', sha256: '0'.repeat(64) }))), /bad12\.json: sidecar\.file: .*nope\.msgpack does not exist/],
  ];
  it.each(cases)('%s', (_n, make, re) => {
    const p = make();
    let err: unknown;
    try {
      loadModel(p);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(re);
  });

  it('a corrupt sidecar is caught by its checksum', () => {
    const m = randomModel(spec);
    const p = join(dir, 'sc.json');
    saveModel(m, p);
    const sc = join(dir, 'sc.weights.msgpack');
    const bytes = readFileSync(sc);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(sc, bytes);
    expect(() => loadModel(p)).toThrow(/sc\.json: sidecar\.sha256: sc\.weights\.msgpack has sha256 [0-9a-f]+, the model expects/);
  });
});

describe('archsim validate (CLI)', () => {
  it('exits 0 on a good file and 2 on a bad one, naming file and path, without a stack trace', () => {
    const ok = write('good.json', good);
    const bad = write('bad-cli.json', mutate((d) => (d.layers[1].groups = 7)));
    const r1 = archsim(['validate', ok]);
    expect(r1.stderr).toBe('');
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/good\.json: ok/);
    const r2 = archsim(['validate', ok, bad]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/bad-cli\.json: layers\[1\]\.groups: 7 does not divide 40/);
    expect(r2.stderr).not.toMatch(/\n\s+at /);
  });
  it('a missing file and an unknown option exit 2', () => {
    expect(archsim(['validate', join(dir, 'absent.json')]).code).toBe(2);
    const r = archsim(['validate', '--frobnicate', 'x']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--frobnicate'/);
  });
});
