/**
 * The shared cases every backend must pass bit for bit against the reference engine
 * (tfjs-backend-webgpu style: one suite, every backend). Each case is a random model, a batch
 * of random images and a readout; together they cover K not a multiple of 32, odd and even G
 * (majority ties), thresholds at the exact popcount, negative directions and constant neurons,
 * pooling with both directions, stride 2 and padding, and ADC bits below and above exactness.
 */
import type { Readout } from '../../src/func/types.ts';
import { randomModel, type RandomModelSpec } from '../helpers/random-model.ts';

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
];

export function buildCase(c: Case) {
  return randomModel(c.spec);
}
