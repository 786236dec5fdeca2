/**
 * The shared cases every backend must pass bit for bit against the reference engine
 * (tfjs-backend-webgpu style: one suite, every backend). Each case is a random model, a batch
 * of random images and a readout; together they cover K not a multiple of 32, odd and even G
 * (majority ties), thresholds at the exact popcount, negative directions and constant neurons,
 * pooling with both directions, stride 2 and padding, and ADC bits below and above exactness.
 */
import type { Readout } from './types.ts';
import { randInt, randomModel, rng, type RandomLayerSpec, type RandomModelSpec } from '../model/random.ts';

export interface Case {
  name: string;
  spec: RandomModelSpec;
  images: number;
  readouts: Readout[];
}

const mlpReadouts: Readout[] = [
  { kind: 'sense' },
  { kind: 'adc', rows: 16, bits: 5 }, // exact: 2^5 = 32 >= 17
  { kind: 'adc', rows: 16, bits: 2 }, // quantised, saturating
  { kind: 'adc', rows: 40, bits: 3 }, // block boundary inside a word
  { kind: 'adc', rows: 40, bits: 4, clip: { 1: 20, 2: 10 } },
];

export const CASES: Case[] = [
  {
    name: 'dense, K=77 odd, G=7 then G=2 (ties)',
    spec: {
      input: { channels: 1, height: 7, width: 11 },
      first: { kind: 'dense', out: 70 },
      hidden: [
        { kind: 'dense', out: 33, groups: 7 },
        { kind: 'dense', out: 20, groups: 3 },
        { kind: 'dense', out: 18, groups: 2 },
      ],
      classes: 10,
      seed: 1,
    },
    images: 37,
    readouts: mlpReadouts,
  },
  {
    name: 'dense, wide rows (K=160, several words per group)',
    spec: {
      input: { channels: 1, height: 8, width: 8 },
      first: { kind: 'dense', out: 160 },
      hidden: [
        { kind: 'dense', out: 96, groups: 1 },
        { kind: 'dense', out: 40, groups: 4 },
      ],
      classes: 7,
      seed: 2,
    },
    images: 20,
    readouts: mlpReadouts,
  },
  {
    name: 'conv pad 1 + pool, IntraC groups cutting kernels, dense head',
    spec: {
      input: { channels: 3, height: 10, width: 10 },
      first: { kind: 'conv', out: 8, kernel: 3, stride: 1, padding: 1, pool: null },
      hidden: [
        { kind: 'conv', out: 12, kernel: 3, stride: 1, padding: 1, groups: 3, pool: { size: 2, stride: 2 } }, // K=72, 24 per group
        { kind: 'conv', out: 10, kernel: 3, stride: 2, padding: 1, groups: 4, pool: null }, // K=108, 27 per group
        { kind: 'dense', out: 24, groups: 5 }, // K=10*3*3=90
      ],
      classes: 10,
      seed: 3,
    },
    images: 9,
    readouts: [
      { kind: 'sense' },
      { kind: 'adc', rows: 32, bits: 6 },
      { kind: 'adc', rows: 20, bits: 2 },
    ],
  },
  {
    name: 'conv first layer with pool, stride 2 no padding, 5x5 kernel',
    spec: {
      input: { channels: 2, height: 13, width: 12 },
      first: { kind: 'conv', out: 6, kernel: 3, stride: 1, padding: 0, pool: { size: 2, stride: 2 } },
      hidden: [
        { kind: 'conv', out: 9, kernel: 5, stride: 1, padding: 2, groups: 6, pool: { size: 2, stride: 2 } }, // K=150
        { kind: 'conv', out: 7, kernel: 2, stride: 2, padding: 0, groups: 1, pool: null },
      ],
      classes: 4,
      seed: 4,
    },
    images: 11,
    readouts: [
      { kind: 'sense' },
      { kind: 'adc', rows: 64, bits: 3 },
    ],
  },
  {
    // the GPU's register-blocked path: 32-row words of many neurons, two groups whose 260-input
    // slices span three vec4s (ADC blocks crossing vec4 and word boundaries), 50 groups (fewer rows
    // than groups in a word), image counts that are not a multiple of the 8-image blocks
    name: 'dense, many neurons and groups (N=300 G=2 per=260; G=50 per=6)',
    spec: {
      input: { channels: 1, height: 16, width: 16 },
      first: { kind: 'dense', out: 520 },
      hidden: [
        { kind: 'dense', out: 300, groups: 2 },
        { kind: 'dense', out: 70, groups: 50 },
        { kind: 'dense', out: 33, groups: 1 },
      ],
      classes: 10,
      seed: 5,
    },
    images: 21,
    readouts: [
      { kind: 'sense' },
      { kind: 'adc', rows: 100, bits: 4 }, // blocks 0-99, 100-199, 200-259 of each group
      { kind: 'adc', rows: 256, bits: 9 }, // exact (s = 1), one block boundary inside a vec4
      { kind: 'adc', rows: 7, bits: 2, clip: { 2: 5 } },
    ],
  },
  {
    // classifier dots of every class are read: 37 classes fill two 16-neuron tiles of the native
    // GEMM's paired path and one 8-neuron tile (the 10-class cases leave a paired tile's last
    // lanes as padding, whose dots nobody reads)
    name: 'dense, 37-class classifier',
    spec: {
      input: { channels: 1, height: 6, width: 6 },
      first: { kind: 'dense', out: 48 },
      hidden: [{ kind: 'dense', out: 40, groups: 2 }],
      classes: 37,
      seed: 7,
    },
    images: 23,
    readouts: [
      { kind: 'sense' },
      { kind: 'adc', rows: 12, bits: 2 },
    ],
  },
  {
    name: 'conv, fields over 128 inputs (K=144, 360), pad 1, pool, groups',
    spec: {
      input: { channels: 3, height: 8, width: 8 },
      first: { kind: 'conv', out: 16, kernel: 3, stride: 1, padding: 1, pool: null },
      hidden: [
        { kind: 'conv', out: 40, kernel: 3, stride: 1, padding: 1, groups: 1, pool: { size: 2, stride: 2 } }, // K=144
        { kind: 'conv', out: 24, kernel: 3, stride: 2, padding: 1, groups: 4, pool: null }, // K=360, 90 per group
        { kind: 'dense', out: 20, groups: 2 },
      ],
      classes: 6,
      seed: 6,
    },
    images: 10,
    readouts: [
      { kind: 'sense' },
      { kind: 'adc', rows: 50, bits: 3 },
    ],
  },
];

export function buildCase(c: Case) {
  return randomModel(c.spec);
}

/**
 * Random shapes as well as random values: each seed draws a small network (dense or conv first
 * layer, 1-3 hidden layers with random kernels, strides, padding, pooling and group counts that
 * divide their fan-in) and random ADC read-outs, so the suite does not only test shapes chosen
 * by hand.
 */

function divisors(n: number): number[] {
  const d: number[] = [];
  for (let i = 1; i <= n; i++) if (n % i === 0) d.push(i);
  return d;
}

export function randomCase(seed: number): Case {
  const r = rng(seed * 7919);
  let shape = { channels: randInt(r, 1, 3), height: randInt(r, 5, 9), width: randInt(r, 5, 9) };
  const input = { ...shape };
  const layers: RandomLayerSpec[] = [];
  const nHidden = randInt(r, 1, 3);
  let dense = false;
  let minFan = Infinity;
  for (let i = 0; i <= nHidden; i++) {
    const out = randInt(r, 3, 40);
    const convOk = !dense && shape.height >= 3 && shape.width >= 3 && r() < 0.6;
    let spec: RandomLayerSpec;
    let fanIn: number;
    if (convOk) {
      const kernel = randInt(r, 1, Math.min(3, shape.height, shape.width));
      const padding = randInt(r, 0, kernel - 1);
      const stride = randInt(r, 1, 2);
      const oh = Math.floor((shape.height + 2 * padding - kernel) / stride) + 1;
      const ow = Math.floor((shape.width + 2 * padding - kernel) / stride) + 1;
      const pool = oh >= 2 && ow >= 2 && r() < 0.5 ? { size: 2, stride: 2 } : null;
      fanIn = shape.channels * kernel * kernel;
      spec = { kind: 'conv', out, kernel, stride, padding, pool };
      shape = { channels: out, height: pool ? Math.floor((oh - 2) / 2) + 1 : oh, width: pool ? Math.floor((ow - 2) / 2) + 1 : ow };
    } else {
      dense = true;
      fanIn = shape.channels * shape.height * shape.width;
      spec = { kind: 'dense', out };
      shape = { channels: out, height: 1, width: 1 };
    }
    if (i > 0) {
      const ds = divisors(fanIn);
      spec.groups = ds[randInt(r, 0, ds.length - 1)]!;
      minFan = Math.min(minFan, fanIn / spec.groups);
    }
    layers.push(spec);
  }
  const readouts: Readout[] = [{ kind: 'sense' }];
  for (let i = 0; i < 2; i++) readouts.push({ kind: 'adc', rows: randInt(r, 1, 70), bits: randInt(r, 1, 8) });
  return {
    name: `random shapes, seed ${seed}`,
    spec: { input, first: layers[0]!, hidden: layers.slice(1), classes: randInt(r, 2, 10), seed },
    images: randInt(r, 3, 12),
    readouts,
  };
}

for (let s = 1; s <= 8; s++) CASES.push(randomCase(s));
