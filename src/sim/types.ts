/** Results of the timing pass. Times in ns (converted from integer ps ticks at the end). */

export interface ComponentTiming {
  /** component kind: array, adc, senseAmp, shiftAdd, majority, thresholdPool, buffer, link, globalBuffer, offChip, digitalUnit */
  kind: string;
  /** resources of this kind (ports and links counted separately) */
  count: number;
  /** busy time / (count x simulated time) */
  utilisation: number;
  /** total time requests waited in the queue of this kind, ns */
  stallNs: number;
  /** total busy time, ns */
  busyNs: number;
  uses: number;
}

export interface LayerTiming {
  layer: number;
  name: string;
  unit: 'crossbar' | 'digital';
  /** image 0: first input available, first vector issued, last vector done (ns from its injection) */
  firstInputNs: number;
  firstIssueNs: number;
  lastDoneNs: number;
  /** lastDone - firstInput for image 0 */
  spanNs: number;
  /** the stage with the most service time per image, and that time (ns per image) */
  bottleneck: string;
  bottleneckNsPerImage: number;
  /**
   * time per image (ns) the layer had a ready vector it could not start: its replicas already had
   * `depth` vectors in flight (unitsBusy), or the next layer had no buffer credit (noCredit)
   */
  stalledNsPerImage: { unitsBusy: number; noCredit: number };
  /** per-stage service time per image (ns), the layer's own resources */
  stageNsPerImage: Record<string, number>;
}

/** Structural traffic per image (for the cost model). */
export interface TrafficPerImage {
  flitHops: number;
  bufferReadBits: number;
  bufferWriteBits: number;
  globalBufferReadBits: number;
  globalBufferWriteBits: number;
  offChipBits: number;
  /** tile-buffer overflow staged elsewhere (global buffer, or off-chip when that is full too) */
  spilledBits: number;
  /** bits that went through off-chip memory because the global buffer was full */
  offChipSpillBits: number;
}

export interface TimingResult {
  /** images simulated */
  images: number;
  /** image 0, empty chip: injection to result */
  latencyNs: number;
  /** mean injection-to-result latency over the stream */
  meanLatencyNs: number;
  /** steady-state images / s: the completion rate over the second half of the stream, capped by the busiest unit's rate */
  throughputIps: number;
  /** completion rate over the second half of the stream, uncapped */
  measuredThroughputIps: number;
  /** the resource with the most busy time (name) and its busy time per image */
  bottleneck: string;
  bottleneckBusyNsPerImage: number;
  /** time of the last result, ns */
  makespanNs: number;
  events: number;
  components: ComponentTiming[];
  layers: LayerTiming[];
  traffic: TrafficPerImage;
  /** the same per layer (layer -1: image load into the global buffer) */
  layerTraffic: { layer: number; flitHops: number; bufferReadBits: number; bufferWriteBits: number; globalBufferReadBits: number; globalBufferWriteBits: number }[];
  /** peak tile-buffer occupancy over all tiles, bits */
  peakBufferBits: number;
  /** peak global-buffer occupancy (images waiting, classifier inputs), bits */
  peakGlobalBufferBits: number;
  /** per image: injection and completion time (ns) */
  imageTimes: { injectNs: number; doneNs: number }[];
  /** Chrome/Perfetto trace, when requested */
  trace?: { traceEvents: Record<string, unknown>[]; displayTimeUnit: 'ns' };
}

export interface TimingOptions {
  /** images in the stream (default 8) */
  images?: number;
  /** images admitted at once (default: all; layers apply back-pressure through credits) */
  imagesInFlight?: number;
  /** vectors a layer replica may have in flight (input registers + pipeline; default 4) */
  depth?: number;
  trace?: boolean;
  /** cap on trace events (default 200000) */
  maxTraceEvents?: number;
  /** the event queue: 'calendar' (default) or the plain binary 'heap' (same order; benchmarks) */
  eventQueue?: 'calendar' | 'heap';
}
