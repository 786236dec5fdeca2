/**
 * The cycle-level timing model of a mapped chip, on the discrete-event engine.
 *
 * Flow of one image (all times integer ps ticks; every unit is a FIFO resource, src/sim/resources.ts):
 *  1. INJECT: the image crosses the off-chip link (latency + bits / bandwidth) into the global buffer.
 *  2. Each layer issues its vectors (conv: pre-pool output positions in raster order; dense: one) in
 *     order, as soon as the vector's receptive field is in its input buffer (raster-prefix rule) and
 *     the replica has fewer than `depth` vectors in flight.
 *  3. Crossbar vector: per tile holding part of the layer, a tile-buffer read (ports x width per cycle),
 *     the array read (read latency x input bit-planes), the read-out (ADC: the columns sharing one ADC
 *     convert one after another; sense amp: one cycle), a local reduction in the tile's shift-add or
 *     majority unit, then a packet of partial results to the replica's home tile over the
 *     interconnect; the home merges the parts (shift-add / majority) and applies threshold/pooling.
 *     With a per-column sample-and-hold the array is free after its read; without, it is held until
 *     its read-out ends.
 *  4. Digital layers run on the digital unit at the hub one output row at a time.
 *  5. Outputs (pooled when the layer pools) travel as packets to every tile of the next layer, are
 *     written into its tile buffer (capacity tracked; overflow is staged through the global buffer at
 *     its cost) and become available; the classifier's result ends the image.
 * Packets cross links hop by hop (virtual cut-through: the head moves on after the hop latency, the
 * link is busy for bits / link width cycles).
 */
import type { ArchSpec } from '../arch/spec.ts';
import { READOUTS, INTERCONNECTS, type Topology } from '../arch/roles/index.ts';
import { adcFigures } from '../arch/tech.ts';
import type { LayerPlacement, MappingOk } from '../map/types.ts';
import { Engine, Priority } from './engine.ts';
import { Resources } from './resources.ts';
import type { ComponentTiming, LayerTiming, TimingOptions, TimingResult } from './types.ts';

interface PartRt {
  tile: number;
  arrays: number;
  arrayRes: number;
  readoutRes: number;
  /** tile buffer read duration (ticks) and bits */
  bufBits: number;
  bufDur: number;
  readDur: number;
  readoutDur: number;
  reduceDur: number;
  /** payload to home (bits), 0 when local */
  payloadBits: number;
  /** route to home: its handle in the flat route table (see routeOf) */
  route: number;
}

interface ReplicaRt {
  home: number;
  parts: PartRt[];
  remoteParts: number;
  mergeDur: number;
  /** pipeline latency of the merge unit (local reduction and home merge) */
  mergeLat: number;
  tpDur: number;
}

interface LayerRt {
  pl: LayerPlacement;
  digital: boolean;
  V: number;
  outW: number;
  preW: number;
  preH: number;
  inH: number;
  inW: number;
  inPositions: number;
  positionBits: number;
  replicas: ReplicaRt[];
  /** destination nodes of this layer's input (tiles, or the hub) */
  dests: number[];
  /** per destination: the fraction of each input position it needs (its arrays' input slices) */
  destFraction: number[];
  /** digital: duration per chunk and vectors per chunk */
  chunk: number;
  chunkDur: number;
  // state
  nextVec: number;
  outstanding: Int32Array;
  arrivedCopies: Int32Array;
  prefix: Int32Array;
  retired: Int32Array;
  pending: Int32Array;
  postPositions: number;
  /** output channels (bits per output position) */
  outChannels: number;
  /** per vector v: the input prefix it needs (inputPrefixNeeded) and the input positions retired once it has issued */
  needAt: Int32Array;
  retireAt: Int32Array;
  /** pooling layers: the post-pool outputs whose window holds vector v are poolQ[poolStart[v] ..
   * poolStart[v + 1]), in raster order; poolLeft counts each (image, output)'s window vectors not yet done */
  poolStart: Int32Array | null;
  poolQ: Int32Array | null;
  poolLeft: Int32Array | null;
  /** input bits sent to this layer and not yet retired (credit-based flow control) */
  inflightBits: number;
  vecsInFlight: number;
  /** stall accounting: ticks with a ready vector blocked by [depth, credit] */
  stalled: Float64Array;
  stallSince: number;
  stallWhy: number;
  /** most input bits this layer may have outstanding in its tile buffers */
  credit: number;
  doneVectors: Int32Array;
  firstInput: Float64Array;
  firstIssue: Float64Array;
  lastDone: Float64Array;
}

/**
 * Timing rule "an output position starts when its receptive field is in the buffer": the number of
 * input positions, in raster order, that must have arrived before vector v (pre-pool output
 * position, raster order) of a layer may start. Dense layers need their whole input; the first
 * layer counts image rows (the image arrives row by row into the global buffer).
 */
export function inputPrefixNeeded(pl: LayerPlacement, v: number): number {
  const inH = pl.inShape.height;
  const inW = pl.inShape.width;
  if (pl.kind === 'dense') return pl.layer === 0 ? inH : inH * inW;
  const preW = Math.floor((inW + 2 * pl.padding - pl.kernel) / pl.stride) + 1;
  const oy = Math.floor(v / preW);
  const ox = v - oy * preW;
  const ymax = Math.min(oy * pl.stride - pl.padding + pl.kernel - 1, inH - 1);
  if (pl.layer === 0) return ymax + 1;
  const xmax = Math.min(ox * pl.stride - pl.padding + pl.kernel - 1, inW - 1);
  return ymax * inW + xmax + 1;
}

/**
 * Input positions (raster order) no longer needed once vector v of a layer (pre-pool output position,
 * raster order; V per image, preW per output row) has issued: all of them after the last vector or
 * for a dense layer, else those before the next vector's receptive field (image rows for the first
 * layer); `inPositions` is the layer's input positions per image.
 */
function retiredAfter(pl: LayerPlacement, V: number, preW: number, inPositions: number, v: number): number {
  const inW = pl.inShape.width;
  if (pl.kind === 'dense' || v + 1 >= V) return inPositions;
  const oy = Math.floor((v + 1) / preW);
  if (pl.layer === 0) return Math.max(0, oy * pl.stride - pl.padding);
  const ox = v + 1 - oy * preW;
  return Math.max(0, oy * pl.stride - pl.padding) * inW + Math.max(0, ox * pl.stride - pl.padding);
}

/**
 * A pooling layer's tables: for each vector (pre-pool position) the post-pool outputs whose window
 * holds it, in raster order (CSR: poolStart, poolQ), and per image and output the number of window
 * positions (poolLeft, counted down as vectors finish: an output is complete when it reaches 0).
 */
function poolTables(pl: LayerPlacement, V: number, preH: number, preW: number, images: number): Pick<LayerRt, 'poolStart' | 'poolQ' | 'poolLeft'> {
  if (!pl.pool) return { poolStart: null, poolQ: null, poolLeft: null };
  if (preH * preW !== V) throw new Error(`timing model: layer ${pl.name} pools ${preH}x${preW} positions but issues ${V} vectors`);
  const { stride: s, size: z } = pl.pool;
  const oh = pl.outShape.height;
  const ow = pl.outShape.width;
  const start = new Int32Array(V + 1);
  const qs: number[] = [];
  const windowSize = new Int32Array(oh * ow);
  for (let v = 0; v < V; v++) {
    start[v] = qs.length;
    const y = Math.floor(v / preW);
    const x = v - y * preW;
    for (let py = Math.max(0, Math.ceil((y - z + 1) / s)); py <= Math.min(oh - 1, Math.floor(y / s)); py++) {
      for (let px = Math.max(0, Math.ceil((x - z + 1) / s)); px <= Math.min(ow - 1, Math.floor(x / s)); px++) {
        qs.push(py * ow + px);
        windowSize[py * ow + px]++;
      }
    }
  }
  start[V] = qs.length;
  const left = new Int32Array(images * oh * ow);
  for (let n = 0; n < images; n++) left.set(windowSize, n * oh * ow);
  return { poolStart: start, poolQ: Int32Array.from(qs), poolLeft: left };
}

function sum(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]!;
  return s;
}

export function simulateChip(arch: ArchSpec, mapping: MappingOk, opts: TimingOptions = {}): TimingResult {
  const images = opts.images ?? 8;
  const depth = opts.depth ?? 4;
  const nLayers = mapping.layers.length;
  const inFlight = opts.imagesInFlight ?? images;
  const cyc = arch.cyclePs;
  const cycles = (c: number) => c * cyc;
  const eng = new Engine(opts.eventQueue);
  const res = new Resources();
  const tiles = arch.chip.tiles;
  const hub = tiles;
  const ic = arch.chip.interconnect;
  const topo: Topology = INTERCONNECTS[ic.impl]({ impl: ic.impl, width: ic.width, height: ic.height, tiles });
  const T = arch.tile;

  // ---- resources
  const linkRes = new Int32Array(topo.linkCount).fill(-1);
  const link = (l: number) => {
    if (linkRes[l]! < 0) linkRes[l] = res.add('link', `link${l}`);
    return linkRes[l]!;
  };
  // routes between nodes, flat: routeLinks[h] = hop count, then the link resources in order; a
  // route's handle is h
  const routeLinks: number[] = [];
  const routeCache = new Map<number, number>();
  const routeOf = (src: number, dst: number): number => {
    const key = src * 65536 + dst;
    let h = routeCache.get(key);
    if (h === undefined) {
      const links = src === dst ? [] : topo.route(src, dst).map(link);
      h = routeLinks.length;
      routeLinks.push(links.length, ...links);
      routeCache.set(key, h);
    }
    return h;
  };
  const bufRes: number[] = [];
  const shiftAddRes: number[] = [];
  const majorityRes: number[] = [];
  const tpRes: number[] = [];
  for (let t = 0; t < tiles; t++) {
    bufRes.push(res.add('buffer', `tile${t}.buffer`, T.buffer.ports));
    shiftAddRes.push(res.add('shiftAdd', `tile${t}.shiftAdd`));
    majorityRes.push(res.add('majority', `tile${t}.majority`));
    tpRes.push(res.add('thresholdPool', `tile${t}.thresholdPool`));
  }
  const gbRes = res.add('globalBuffer', 'globalBuffer', arch.chip.globalBuffer.ports);
  const offRes = res.add('offChip', 'offChip');
  const digRes = res.add('digitalUnit', 'digitalUnit');
  const gb = arch.chip.globalBuffer;
  // occupancy (the unit is busy) and latency (pipelined, added to completion) are kept apart
  // the figures the per-event handlers use, read out of the spec once
  const gbPortBits = gb.portWidthBits;
  const bufPortBits = T.buffer.portWidthBits;
  const bufCap = T.buffer.capacityBits;
  const linkBits = ic.linkWidthBits;
  const flitBits = T.router.flitWidthBits;
  const tpLat = T.thresholdPool.latencyPs;
  const duLat = arch.chip.digitalUnit.latencyPs;
  const sampleHold = T.readout.adc.sampleHold;
  const gbDur = (bits: number) => Math.ceil(bits / gbPortBits) * cyc;
  const gbLat = gb.latencyPs;
  const bufDur = (bits: number) => Math.ceil(bits / bufPortBits) * cyc;
  const bufLat = T.buffer.latencyPs;
  const ser = (bits: number) => Math.ceil(bits / linkBits) * cyc;
  const flits = (bits: number) => Math.ceil(bits / flitBits);
  const hopLatency = ic.hopLatencyPs;

  // ADC conversion time (ps) at the design's resolution
  const adcSpec = T.readout.adc;
  const convPs = (bits: number) => Math.max(1, Math.round(1000 / adcFigures(arch.tech, adcSpec.model, bits).rateGHz));

  // ---- per-layer runtime
  const L: LayerRt[] = mapping.layers.map((pl, li) => {
    const digital = pl.unit === 'digital';
    const isConv = pl.kind === 'conv';
    const preH = isConv ? Math.floor((pl.inShape.height + 2 * pl.padding - pl.kernel) / pl.stride) + 1 : 1;
    const preW = isConv ? Math.floor((pl.inShape.width + 2 * pl.padding - pl.kernel) / pl.stride) + 1 : 1;
    const V = pl.vectorsPerImage;
    const inPositions = li === 0 ? pl.inShape.height : pl.inShape.height * pl.inShape.width;
    const positionBits = li === 0 ? pl.inShape.channels * pl.inShape.width * 8 : pl.inShape.channels;
    const replicas: ReplicaRt[] = [];
    const destSet = new Set<number>();
    const frac = new Map<number, number>();
    if (!digital) {
      const ro = READOUTS[pl.readout === 'adc' ? adcSpec.impl : 'sense-amp'];
      const share = pl.readout === 'adc' ? adcSpec.columnsPerAdc : T.readout.sense.columnsPerSenseAmp;
      const units = ro.unitsPerArray(T.array.cols, share);
      const conv = pl.readout === 'adc' ? convPs(pl.outBits) : cyc;
      const R = pl.readout === 'sense' ? mapping.rowsPerArray : T.array.rows;
      const colsOf = (c: number) => Math.min(T.array.cols, pl.neurons - c * T.array.cols);
      const mergeLanes = pl.readout === 'adc' ? T.shiftAdd.lanes : T.majority.lanes;
      const mergeLat = pl.readout === 'adc' ? T.shiftAdd.latencyPs : T.majority.latencyPs;
      pl.replicaPlacements.forEach((rp, r) => {
        const parts: PartRt[] = rp.parts.map((p) => {
          destSet.add(p.tile);
          frac.set(p.tile, Math.min(1, (frac.get(p.tile) ?? 0) + p.distinctRowBlocks / pl.rowBlocks));
          let maxRowBlocks = 0;
          let maxCols = 0;
          let payload = 0;
          let colsTotal = 0;
          for (const [c, k] of p.rowBlocksByColBlock) {
            maxRowBlocks = Math.max(maxRowBlocks, k);
            maxCols = Math.max(maxCols, colsOf(c));
            colsTotal += colsOf(c) * k;
            const w = pl.readout === 'adc' ? pl.outBits + Math.ceil(Math.log2(k)) + (pl.inputPasses > 1 ? 8 : 0) : k === 1 ? 1 : Math.ceil(Math.log2(k + 1));
            payload += colsOf(c) * w;
          }
          const bufBits = Math.min(pl.fanIn, maxRowBlocks * R) * pl.inputPasses;
          const needsReduce = pl.rowBlocks > 1;
          return {
            tile: p.tile,
            arrays: p.arrays,
            arrayRes: res.add('array', `tile${p.tile}.L${li}r${r}.arrays`),
            readoutRes: res.add(pl.readout === 'adc' ? 'adc' : 'senseAmp', `tile${p.tile}.L${li}r${r}.${pl.readout === 'adc' ? 'adc' : 'senseAmp'}`),
            bufBits,
            bufDur: bufDur(bufBits),
            readDur: T.array.readLatencyPs * pl.inputPasses,
            readoutDur: Math.ceil(maxCols / units) * conv * pl.inputPasses,
            reduceDur: needsReduce ? cycles(Math.ceil(colsTotal / mergeLanes)) : 0,
            payloadBits: p.tile === rp.home ? 0 : payload,
            route: routeOf(p.tile, rp.home),
          };
        });
        const nParts = parts.length;
        const remote = parts.filter((p) => p.payloadBits > 0).length;
        const mergeOps = nParts > 1 ? nParts * pl.neurons : 0;
        const tpOps = pl.readout === 'adc' || pl.pool ? pl.neurons : 0;
        replicas.push({
          home: rp.home,
          parts,
          remoteParts: remote,
          mergeDur: mergeOps ? cycles(Math.ceil(mergeOps / mergeLanes)) : 0,
          mergeLat,
          tpDur: tpOps ? cycles(Math.ceil(tpOps / T.thresholdPool.lanes)) : 0,
        });
      });
    } else {
      destSet.add(hub);
    }
    // digital unit: one output row per chunk (conv) or the whole layer (dense)
    const chunk = digital ? (isConv ? preW : 1) : 1;
    const chunkMacs = chunk * pl.fanIn * pl.neurons;
    const du = arch.chip.digitalUnit;
    const nImgV = images * V;
    return {
      pl,
      digital,
      V,
      outW: pl.outShape.width,
      preW,
      preH,
      inH: pl.inShape.height,
      inW: pl.inShape.width,
      inPositions,
      positionBits,
      replicas,
      dests: [...destSet].sort((a, b) => a - b),
      destFraction: [...destSet].sort((a, b) => a - b).map((d) => frac.get(d) ?? 1),
      chunk,
      chunkDur: digital ? cycles(Math.ceil(chunkMacs / du.macsPerCycle)) : 0,
      nextVec: 0,
      outstanding: new Int32Array(Math.max(1, replicas.length)),
      arrivedCopies: new Int32Array(images * inPositions),
      prefix: new Int32Array(images),
      retired: new Int32Array(images),
      pending: new Int32Array(nImgV),
      postPositions: pl.outShape.height * pl.outShape.width,
      outChannels: pl.outShape.channels,
      needAt: Int32Array.from({ length: V }, (_, v) => inputPrefixNeeded(pl, v)),
      retireAt: Int32Array.from({ length: V }, (_, v) => retiredAfter(pl, V, preW, inPositions, v)),
      ...poolTables(pl, V, preH, preW, images),
      inflightBits: 0,
      vecsInFlight: 0,
      stalled: new Float64Array(2),
      stallSince: -1,
      stallWhy: 0,
      credit: Infinity,
      doneVectors: new Int32Array(images),
      firstInput: new Float64Array(images).fill(-1),
      firstIssue: new Float64Array(images).fill(-1),
      lastDone: new Float64Array(images).fill(-1),
    };
  });

  // ---- credits: each layer may hold at most `credit` input bits in its tile buffers; a producer
  // stalls instead of overflowing them (at least two receptive-field windows, else a fair share of
  // the tile buffer among the layers placed on the tile)
  {
    const perTile = new Int32Array(tiles);
    for (const l of L) for (const d of l.dests) if (d !== hub) perTile[d]++;
    for (let li = 1; li < nLayers; li++) {
      const l = L[li]!;
      if (l.dests.includes(hub)) continue;
      const pl = l.pl;
      const windowBits = pl.kind === 'conv' ? (pl.kernel + 1) * l.inW * l.positionBits : l.inPositions * l.positionBits;
      let share = Infinity;
      for (const d of l.dests) share = Math.min(share, Math.floor(T.buffer.capacityBits / perTile[d]!));
      l.credit = Math.max(2 * windowBits, share);
    }
  }

  // ---- counters
  // per-layer traffic counters (index nLayers: not attributable to a layer, e.g. image load)
  const flitHopsL = new Float64Array(nLayers + 1);
  const bufReadL = new Float64Array(nLayers + 1);
  const bufWriteL = new Float64Array(nLayers + 1);
  const gbReadL = new Float64Array(nLayers + 1);
  const gbWriteL = new Float64Array(nLayers + 1);
  let offChipBits = 0,
    spilledBits = 0,
    offChipSpillBits = 0,
    gbOcc = 0,
    peakGb = 0;
  const gbHeld = new Float64Array(images);
  const imgHeld = new Float64Array(images);
  const occ = new Float64Array(tiles + 1);
  let peakOcc = 0;
  const injectAt = new Float64Array(images).fill(-1);
  const doneAt = new Float64Array(images).fill(-1);

  // ---- trace
  const traceEvents: Record<string, unknown>[] = [];
  const maxTrace = opts.maxTraceEvents ?? 200000;
  if (opts.trace) {
    res.trace = (id, start, end, label) => {
      if (traceEvents.length >= maxTrace) return;
      traceEvents.push({ name: label >= 0 ? mapping.layers[label]!.name : res.names[id], cat: res.kindNames[res.kind[id]!], ph: 'X', ts: start / 1e6, dur: (end - start) / 1e6, pid: 1, tid: id });
    };
  }

  // ---- packets: fields of packet id at pk[8 id ..]: next route position, route end, bits, flits,
  // kind, a, b, c; the link serialisation time (ticks) in pkSer (computed once at send, not per hop)
  const PK_STRIDE = 8;
  let pk = new Int32Array(PK_STRIDE * 256);
  let pkSer = new Float64Array(256);
  let pkFree = new Int32Array(256);
  let pkFreeTop = 0;
  let pkCount = 0;

  const PK_PART = 0;
  const PK_DATA = 1;

  // event kinds, and the priorities as local constants (the handlers run per event; a property of
  // an object imported from another module would be looked up, with its checks, at every use)
  const K_INJECT = eng.on('inject', onInject);
  const K_IMAGE_LOADED = eng.on('imageLoaded', onImageLoaded);
  const K_HOP = eng.on('hop', onHop);
  const K_ARRIVE = eng.on('arrive', onArrive);
  const K_AVAIL = eng.on('avail', onAvail);
  const K_PART_READY = eng.on('partReady', onPartReady);
  const K_PART_HOME = eng.on('partHome', onPartHome);
  const K_MERGE = eng.on('merge', onMerge);
  const K_TP = eng.on('thresholdPool', onTp);
  const K_VDONE = eng.on('vectorDone', onVectorDone);
  const K_DIG_DONE = eng.on('digitalDone', onDigitalDone);
  const P_ARRIVE = Priority.arrive;
  const P_COMPLETE = Priority.complete;
  const P_START = Priority.start;
  const P_INJECT = Priority.inject;

  /** A packet on route handle `route` (its fields in pk); returns its id. */
  function packet(route: number, bits: number, kind: number, a: number, b: number, c: number): number {
    let id: number;
    if (pkFreeTop > 0) id = pkFree[--pkFreeTop]!;
    else {
      id = pkCount++;
      if (id === pkSer.length) {
        const n = 2 * id;
        const q = new Int32Array(PK_STRIDE * n);
        q.set(pk);
        pk = q;
        const sr = new Float64Array(n);
        sr.set(pkSer);
        pkSer = sr;
        pkFree = new Int32Array(n);
      }
    }
    const i = id * PK_STRIDE;
    pk[i] = route + 1;
    pk[i + 1] = route + 1 + routeLinks[route]!;
    pk[i + 2] = bits;
    pk[i + 3] = flits(bits);
    pk[i + 4] = kind;
    pk[i + 5] = a;
    pk[i + 6] = b;
    pk[i + 7] = c;
    pkSer[id] = ser(bits);
    return id;
  }

  function send(src: number, dst: number, bits: number, kind: number, a: number, b: number, c: number): void {
    const route = routeOf(src, dst);
    const id = packet(route, bits, kind, a, b, c);
    if (routeLinks[route] === 0) eng.at(eng.now, P_ARRIVE, K_ARRIVE, id, dst, 0);
    else eng.at(eng.now, P_START, K_HOP, id, dst, 0);
  }

  function sendRoute(route: number, dst: number, bits: number, kind: number, a: number, b: number, c: number): void {
    eng.at(eng.now, P_START, K_HOP, packet(route, bits, kind, a, b, c), dst, 0);
  }

  function onHop(id: number, dst: number): void {
    const i = id * PK_STRIDE;
    const h = pk[i]!;
    const s = pkSer[id]!;
    const start = res.acquire(routeLinks[h]!, eng.now, s);
    flitHopsL[pk[i + 5]!] += pk[i + 3]!;
    pk[i] = h + 1;
    if (h + 1 < pk[i + 1]!) eng.at(start + hopLatency, P_START, K_HOP, id, dst, 0);
    else eng.at(start + hopLatency + s, P_ARRIVE, K_ARRIVE, id, dst, 0);
  }

  function onArrive(id: number, dst: number): void {
    const i = id * PK_STRIDE;
    const bits = pk[i + 2]!;
    const kind = pk[i + 4]!;
    const a = pk[i + 5]!;
    const b = pk[i + 6]!;
    const c = pk[i + 7]!;
    pkFree[pkFreeTop++] = id;
    if (kind === PK_PART) {
      partAtHome(a, b);
      return;
    }
    // data: layer a's input position c of image b
    deliver(a, b, c, dst, bits);
  }

  /** Data (positions [pos, pos + span) of layer li's input, image n) arrives at node `node`. */
  function deliver(li: number, n: number, pos: number, node: number, bits: number): void {
    let t: number;
    if (node === hub) {
      t = res.acquire(gbRes, eng.now, gbDur(bits)) + gbDur(bits) + gbLat;
      gbWriteL[li] += bits;
      gbHold(n, bits);
    } else {
      const cap = bufCap;
      if (occ[node]! + bits > cap) {
        // overflow: staged through the global buffer (write + read back) at its cost, or through
        // the off-chip memory when the global buffer is full too
        spilledBits += bits;
        if (gbOcc + bits > gb.capacityBits) t = offChipRoundTrip(bits);
        else {
          gbWriteL[li] += bits;
          gbReadL[li] += bits;
          const w = res.acquire(gbRes, eng.now, gbDur(bits)) + gbDur(bits) + gbLat;
          t = res.acquire(gbRes, w, gbDur(bits)) + gbDur(bits) + gbLat;
        }
      } else {
        const o = occ[node]! + bits;
        occ[node] = o;
        if (o > peakOcc) peakOcc = o;
        const d = bufDur(bits);
        t = res.acquire(bufRes[node]!, eng.now, d) + d + bufLat;
      }
      bufWriteL[li] += bits;
    }
    eng.at(t, P_ARRIVE, K_AVAIL, li, n, pos);
  }

  function onAvail(li: number, n: number, pos: number): void {
    const l = L[li]!;
    const idx = n * l.inPositions + pos;
    l.arrivedCopies[idx]++;
    if (l.arrivedCopies[idx]! < l.dests.length) return;
    if (l.firstInput[n]! < 0) l.firstInput[n] = eng.now;
    let p = l.prefix[n]!;
    while (p < l.inPositions && l.arrivedCopies[n * l.inPositions + p]! >= l.dests.length) p++;
    if (p !== l.prefix[n]) {
      l.prefix[n] = p;
      tryIssue(li);
    }
  }

  /** retire input positions no longer needed once vector v of image n has been issued */
  function retire(l: LayerRt, n: number, v: number): void {
    const upto = l.retireAt[v]!;
    const prev = l.retired[n]!;
    if (upto <= prev) return;
    l.retired[n] = upto;
    const bits = (upto - prev) * l.positionBits;
    for (let i = 0; i < l.dests.length; i++) {
      const d = l.dests[i]!;
      if (d !== hub) occ[d] = Math.max(0, occ[d]! - Math.ceil(bits * l.destFraction[i]!));
    }
    l.inflightBits -= bits;
    if (l.pl.layer > 0) tryIssue(l.pl.layer - 1);
  }

  /** credit check: may layer l start `count` more vectors without overflowing its consumer? */
  function blocked(li: number, count: number): boolean {
    if (li + 1 >= nLayers) return false;
    const c = L[li + 1]!;
    if (c.credit === Infinity) return false;
    const l = L[li]!;
    return c.inflightBits + (l.vecsInFlight + count) * l.outChannels > c.credit;
  }

  /** a layer with a ready vector that cannot start: 0 = its units are full (depth), 1 = no credit downstream */
  function stallStart(l: LayerRt, why: number): void {
    if (l.stallSince < 0) {
      l.stallSince = eng.now;
      l.stallWhy = why;
    } else if (l.stallWhy !== why) {
      l.stalled[l.stallWhy] += eng.now - l.stallSince;
      l.stallSince = eng.now;
      l.stallWhy = why;
    }
  }
  function stallEnd(l: LayerRt): void {
    if (l.stallSince >= 0) {
      l.stalled[l.stallWhy] += eng.now - l.stallSince;
      l.stallSince = -1;
    }
  }

  function tryIssue(li: number): void {
    const l = L[li]!;
    const total = images * l.V;
    while (l.nextVec < total) {
      const g = l.nextVec;
      const n = (g / l.V) | 0;
      const v = g - n * l.V;
      if (injectAt[n]! < 0) return;
      if (l.digital) {
        // a chunk of `chunk` vectors (one output row) at a time, on the shared digital unit
        const last = Math.min(v + l.chunk, l.V) - 1;
        if (l.prefix[n]! < l.needAt[last]!) return;
        if (l.outstanding[0]! >= 1) return stallStart(l, 0);
        if (blocked(li, last - v + 1)) return stallStart(l, 1);
        stallEnd(l);
        l.outstanding[0]++;
        l.vecsInFlight += last - v + 1;
        if (l.firstIssue[n]! < 0) l.firstIssue[n] = eng.now;
        const start = res.acquire(digRes, eng.now, l.chunkDur, li);
        gbReadL[li] += (last - v + 1) * l.pl.fanIn * (li === 0 ? 8 : 1);
        retire(l, n, last);
        eng.at(start + l.chunkDur + duLat, P_COMPLETE, K_DIG_DONE, li, g, last - v + 1);
        l.nextVec = g + (last - v + 1);
        continue;
      }
      if (l.prefix[n]! < l.needAt[v]!) return;
      const r = g % l.replicas.length;
      if (l.outstanding[r]! >= depth) return stallStart(l, 0);
      if (blocked(li, 1)) return stallStart(l, 1);
      stallEnd(l);
      l.outstanding[r]++;
      l.vecsInFlight++;
      if (l.firstIssue[n]! < 0) l.firstIssue[n] = eng.now;
      issueCrossbar(li, l, g, r);
      retire(l, n, v);
      l.nextVec = g + 1;
    }
  }

  function issueCrossbar(li: number, l: LayerRt, g: number, r: number): void {
    const rep = l.replicas[r]!;
    l.pending[g] = rep.parts.length;
    for (let pi = 0; pi < rep.parts.length; pi++) {
      const p = rep.parts[pi]!;
      const tb = res.acquire(bufRes[p.tile]!, eng.now, p.bufDur, li) + p.bufDur + bufLat;
      bufReadL[li] += p.bufBits;
      // array and read-out are owned by this layer replica and used in vector order: reserve ahead
      const ta = res.acquire(p.arrayRes, tb, p.readDur, li) + p.readDur;
      const tr = res.acquire(p.readoutRes, ta, p.readoutDur, li) + p.readoutDur;
      if (!(l.pl.readout === 'adc' && sampleHold)) res.holdUntil(p.arrayRes, tr);
      eng.at(tr, P_COMPLETE, K_PART_READY, li, g, pi);
    }
  }

  function onPartReady(li: number, g: number, pi: number): void {
    const l = L[li]!;
    const rep = l.replicas[g % l.replicas.length]!;
    const p = rep.parts[pi]!;
    let t = eng.now;
    if (p.reduceDur > 0) {
      const unit = l.pl.readout === 'adc' ? shiftAddRes[p.tile]! : majorityRes[p.tile]!;
      t = res.acquire(unit, t, p.reduceDur, li) + p.reduceDur + rep.mergeLat;
    }
    if (p.payloadBits > 0) {
      if (t === eng.now) sendRoute(p.route, rep.home, p.payloadBits, PK_PART, li, g, pi);
      else eng.at(t, P_COMPLETE, K_PART_HOME, li, g, -1 - pi);
    } else eng.at(t, P_COMPLETE, K_PART_HOME, li, g, pi);
  }

  /** partHome with c < 0: the local reduction finished, now send the part's packet */
  function onPartHome(li: number, g: number, c: number): void {
    if (c < 0) {
      const l = L[li]!;
      const rep = l.replicas[g % l.replicas.length]!;
      const p = rep.parts[-1 - c]!;
      sendRoute(p.route, rep.home, p.payloadBits, PK_PART, li, g, -1 - c);
      return;
    }
    partAtHome(li, g);
  }

  function partAtHome(li: number, g: number): void {
    const l = L[li]!;
    if (--l.pending[g]! > 0) return;
    eng.at(eng.now, P_START, K_MERGE, li, g, 0);
  }

  function onMerge(li: number, g: number): void {
    const l = L[li]!;
    const rep = l.replicas[g % l.replicas.length]!;
    let t = eng.now;
    if (rep.mergeDur > 0) {
      const unit = l.pl.readout === 'adc' ? shiftAddRes[rep.home]! : majorityRes[rep.home]!;
      t = res.acquire(unit, t, rep.mergeDur, li) + rep.mergeDur + rep.mergeLat;
    }
    eng.at(t, P_START, K_TP, li, g, 0);
  }

  function onTp(li: number, g: number): void {
    const l = L[li]!;
    const rep = l.replicas[g % l.replicas.length]!;
    let t = eng.now;
    if (rep.tpDur > 0) t = res.acquire(tpRes[rep.home]!, t, rep.tpDur, li) + rep.tpDur + tpLat;
    eng.at(t, P_COMPLETE, K_VDONE, li, g, 0);
  }

  function onVectorDone(li: number, g: number): void {
    const l = L[li]!;
    l.outstanding[g % l.replicas.length]--;
    l.vecsInFlight--;
    vectorsDone(li, g, 1, l.replicas[g % l.replicas.length]!.home);
    tryIssue(li);
  }

  function onDigitalDone(li: number, g: number, count: number): void {
    const l = L[li]!;
    l.outstanding[0]--;
    l.vecsInFlight -= count;
    vectorsDone(li, g, count, hub);
    tryIssue(li);
  }

  /** Marks vectors [g, g+count) of layer li done and emits completed (pooled) outputs from `src`. */
  function vectorsDone(li: number, g: number, count: number, src: number): void {
    const l = L[li]!;
    const n = (g / l.V) | 0;
    const nextL = li + 1 < nLayers ? L[li + 1]! : null;
    const outBits = l.outChannels;
    const poolStart = l.poolStart;
    for (let k = 0; k < count; k++) {
      const v = g + k - n * l.V;
      l.doneVectors[n]++;
      if (poolStart === null) {
        emit(li, n, v, src, nextL, outBits);
        continue;
      }
      const poolQ = l.poolQ!;
      const left = l.poolLeft!;
      const base = n * l.postPositions;
      for (let j = poolStart[v]!; j < poolStart[v + 1]!; j++) {
        const q = poolQ[j]!;
        if (--left[base + q] === 0) emit(li, n, q, src, nextL, outBits);
      }
    }
    if (l.doneVectors[n] === l.V) {
      l.lastDone[n] = eng.now;
      if (li === 0) {
        gbOcc -= imgHeld[n]!;
        imgHeld[n] = 0;
      }
      if (!nextL) imageDone(n);
    }
  }

  /** Sends post-pool output q of image n (each is emitted once) to every tile of the next layer. */
  function emit(li: number, n: number, q: number, src: number, nextL: LayerRt | null, outBits: number): void {
    if (!nextL) return;
    nextL.inflightBits += outBits;
    const ds = nextL.dests;
    for (let i = 0; i < ds.length; i++) send(src, ds[i]!, Math.ceil(outBits * nextL.destFraction[i]!), PK_DATA, li + 1, n, q);
  }

  /** global-buffer occupancy: images waiting for the first layer and the classifier's inputs */
  function gbHold(n: number, bits: number): void {
    gbOcc += bits;
    gbHeld[n] += bits;
    if (gbOcc > peakGb) peakGb = gbOcc;
  }

  /** data written to and read back from off-chip memory; returns when it is back */
  function offChipRoundTrip(bits: number): number {
    const off = arch.chip.offChip;
    const dur = Math.ceil((bits / off.bitsPerNs) * 1000);
    const w = res.acquire(offRes, eng.now, dur) + dur + off.latencyPs;
    const r = res.acquire(offRes, w, dur) + dur + off.latencyPs;
    offChipBits += 2 * bits;
    offChipSpillBits += bits;
    return r;
  }

  function imageDone(n: number): void {
    doneAt[n] = eng.now;
    gbOcc -= gbHeld[n]!;
    gbHeld[n] = 0;
    const next = n + inFlight;
    if (next < images && injectAt[next]! < 0) eng.at(eng.now, P_INJECT, K_INJECT, next, 0, 0);
  }

  function onInject(n: number): void {
    injectAt[n] = eng.now;
    const l0 = L[0]!;
    const bits = l0.pl.inShape.channels * l0.pl.inShape.height * l0.pl.inShape.width * 8;
    const off = arch.chip.offChip;
    const dur = Math.ceil((bits / off.bitsPerNs) * 1000);
    const t = res.acquire(offRes, eng.now, dur) + dur + off.latencyPs;
    offChipBits += bits;
    eng.at(t, P_ARRIVE, K_IMAGE_LOADED, n, 0, 0);
  }

  function onImageLoaded(n: number): void {
    const l0 = L[0]!;
    // the image is written to the global buffer, then its rows go to the first layer
    const rowBits = l0.positionBits;
    const w = gbDur(rowBits * l0.inPositions);
    let t = res.acquire(gbRes, eng.now, w) + w + gbLat;
    gbWriteL[nLayers] += rowBits * l0.inPositions;
    // a full global buffer keeps the image in off-chip memory until the first layer reads it
    if (gbOcc + rowBits * l0.inPositions > gb.capacityBits) t = Math.max(t, offChipRoundTrip(rowBits * l0.inPositions));
    else {
      gbOcc += rowBits * l0.inPositions;
      imgHeld[n] = rowBits * l0.inPositions;
      if (gbOcc > peakGb) peakGb = gbOcc;
    }
    if (l0.digital) {
      for (let y = 0; y < l0.inPositions; y++) {
        l0.arrivedCopies[n * l0.inPositions + y] = l0.dests.length - 1;
        eng.at(t, P_ARRIVE, K_AVAIL, 0, n, y);
      }
    } else {
      gbReadL[0] += rowBits * l0.inPositions;
      for (let y = 0; y < l0.inPositions; y++) for (let i = 0; i < l0.dests.length; i++) send(hub, l0.dests[i]!, Math.ceil(rowBits * l0.destFraction[i]!), PK_DATA, 0, n, y);
    }
  }

  // ---- run
  for (let n = 0; n < Math.min(inFlight, images); n++) eng.at(0, P_INJECT, K_INJECT, n, 0, 0);
  eng.run();

  for (let n = 0; n < images; n++) {
    if (doneAt[n]! < 0) throw new Error(`timing model: image ${n} did not complete (deadlock in layer pipeline)`);
  }
  const makespan = doneAt[images - 1]!;
  const half = Math.floor(images / 2);
  const k0 = images >= 2 ? Math.max(0, half - 1) : 0;
  const thrImages = images - 1 - k0;
  const measured = images >= 2 && doneAt[images - 1]! > doneAt[k0]! ? (thrImages / (doneAt[images - 1]! - doneAt[k0]!)) * 1e12 : 1e12 / (doneAt[0]! - injectAt[0]!);
  // no stream can beat its busiest unit: busy time per image of every resource (port, link) bounds the
  // rate; the completion rate of a short stream can overshoot it in the tail (e.g. when the first and
  // last layers share the digital unit and the last images' first layers ran early)
  let maxBusy = 0;
  let bottleneck = '';
  for (let id = 0; id < res.count; id++) {
    if (res.busy(id) > maxBusy) {
      maxBusy = res.busy(id);
      bottleneck = res.names[id]!;
    }
  }
  const bound = maxBusy > 0 ? (images / maxBusy) * 1e12 : Infinity;
  const throughput = Math.min(measured, bound);
  const lat = (n: number) => (doneAt[n]! - injectAt[n]!) / 1000;
  let meanLat = 0;
  for (let n = 0; n < images; n++) meanLat += lat(n);
  meanLat /= images;

  // component summary
  const comps = new Map<string, ComponentTiming>();
  for (let id = 0; id < res.count; id++) {
    const kind = res.kindNames[res.kind[id]!]!;
    let c = comps.get(kind);
    if (!c) comps.set(kind, (c = { kind, count: 0, utilisation: 0, stallNs: 0, busyNs: 0, uses: 0 }));
    // arrays: a resource stands for the arrays of one layer part in one tile; count arrays
    c.count += 1;
    c.busyNs += res.busy(id) / 1000;
    c.stallNs += res.stall(id) / 1000;
    c.uses += res.uses(id);
  }
  for (const c of comps.values()) c.utilisation = makespan > 0 ? c.busyNs / (c.count * (makespan / 1000)) : 0;
  const components = [...comps.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));

  const layers: LayerTiming[] = L.map((l) => {
    const pl = l.pl;
    const stage: Record<string, number> = {};
    if (l.digital) stage.digitalUnit = ((l.V / l.chunk) * l.chunkDur) / 1000;
    else {
      let arr = 0,
        ro = 0,
        buf = 0,
        red = 0,
        mrg = 0,
        tp = 0;
      for (const rep of l.replicas) {
        for (const p of rep.parts) {
          arr = Math.max(arr, p.readDur + (pl.readout === 'adc' && T.readout.adc.sampleHold ? 0 : p.readoutDur));
          ro = Math.max(ro, p.readoutDur);
          buf = Math.max(buf, p.bufDur);
          red = Math.max(red, p.reduceDur);
        }
        mrg = Math.max(mrg, rep.mergeDur);
        tp = Math.max(tp, rep.tpDur);
      }
      const per = l.V / l.replicas.length / 1000;
      stage.array = arr * per;
      stage[pl.readout === 'adc' ? 'adc' : 'senseAmp'] = ro * per;
      stage.buffer = buf * per;
      if (red) stage[pl.readout === 'adc' ? 'shiftAdd(local)' : 'majority(local)'] = red * per;
      if (mrg) stage[pl.readout === 'adc' ? 'shiftAdd(home)' : 'majority(home)'] = mrg * per;
      if (tp) stage.thresholdPool = tp * per;
    }
    let bn = '';
    let bv = -1;
    for (const [k, v] of Object.entries(stage)) if (v > bv) [bn, bv] = [k, v];
    const t0 = injectAt[0]!;
    return {
      layer: pl.layer,
      name: pl.name,
      unit: pl.unit,
      firstInputNs: (l.firstInput[0]! - t0) / 1000,
      firstIssueNs: (l.firstIssue[0]! - t0) / 1000,
      lastDoneNs: (l.lastDone[0]! - t0) / 1000,
      spanNs: (l.lastDone[0]! - l.firstInput[0]!) / 1000,
      bottleneck: bn,
      bottleneckNsPerImage: bv,
      stalledNsPerImage: { unitsBusy: l.stalled[0]! / images / 1000, noCredit: l.stalled[1]! / images / 1000 },
      stageNsPerImage: stage,
    };
  });

  const result: TimingResult = {
    images,
    latencyNs: lat(0),
    meanLatencyNs: meanLat,
    throughputIps: throughput,
    measuredThroughputIps: measured,
    bottleneck,
    bottleneckBusyNsPerImage: maxBusy / images / 1000,
    makespanNs: makespan / 1000,
    events: eng.events,
    components,
    layers,
    traffic: {
      flitHops: sum(flitHopsL) / images,
      bufferReadBits: sum(bufReadL) / images,
      bufferWriteBits: sum(bufWriteL) / images,
      globalBufferReadBits: sum(gbReadL) / images,
      globalBufferWriteBits: sum(gbWriteL) / images,
      offChipBits: offChipBits / images,
      spilledBits: spilledBits / images,
      offChipSpillBits: offChipSpillBits / images,
    },
    peakGlobalBufferBits: peakGb,
    layerTraffic: Array.from({ length: nLayers + 1 }, (_, i) => ({
      layer: i < nLayers ? mapping.layers[i]!.layer : -1,
      flitHops: flitHopsL[i]! / images,
      bufferReadBits: bufReadL[i]! / images,
      bufferWriteBits: bufWriteL[i]! / images,
      globalBufferReadBits: gbReadL[i]! / images,
      globalBufferWriteBits: gbWriteL[i]! / images,
    })),
    peakBufferBits: peakOcc,
    imageTimes: Array.from({ length: images }, (_, n) => ({ injectNs: injectAt[n]! / 1000, doneNs: doneAt[n]! / 1000 })),
  };
  if (opts.trace) {
    const meta = res.names.map((name, tid) => ({ name: 'thread_name', ph: 'M', pid: 1, tid, args: { name } }));
    result.trace = { traceEvents: [{ name: 'process_name', ph: 'M', pid: 1, args: { name: `${arch.name} ${mapping.design}` } }, ...meta, ...traceEvents], displayTimeUnit: 'ns' };
  }
  return result;
}
