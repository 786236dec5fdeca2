/**
 * `archsim --arch FILE --model FILE` (also `archsim run ...`): both designs side by side.
 * Every input is read and validated before a backend is chosen. Outputs (`--out DIR`) are
 * written to a temporary folder and renamed at the end, so a failed run leaves nothing.
 */
import { existsSync, readdirSync } from 'node:fs';
import { writeDirAtomic } from '../util/fsx.ts';
import { Option, type Command } from 'commander';
import { InputError } from '../errors.ts';
import { selectEngine, type BackendChoice } from '../func/select.ts';
import { renderTable } from '../report/table.ts';
import { layersCsv, toCsv } from '../report/csv.ts';
import type { RunReport } from '../report/types.ts';
import { prepareJob, runJob, type DesignChoice, type JobOutput } from './job.ts';
import { backendOption, intOption } from './options.ts';
import { makeProgress, useColour } from './progress.ts';

export interface RunCliOptions {
  arch: string;
  model: string;
  design: DesignChoice;
  images?: number;
  input?: string;
  backend: BackendChoice;
  seed: number;
  adcBits?: number;
  json?: boolean;
  out?: string;
  trace?: boolean;
  force?: boolean;
}

/** Writes the output folder (report.json, tech-table.csv, layers.csv, report.html, trace.json) atomically. */
export async function writeRunOutputs(dir: string, out: JobOutput, opts: { trace?: boolean; force?: boolean }): Promise<string[]> {
  const r = out.report;
  const files: Record<string, string> = {
    'report.json': JSON.stringify(r, null, 2) + '\n',
    'tech-table.csv': toCsv(
      ['component', 'action', 'value', 'unit', 'node', 'source', 'note'],
      r.techTable.map((t) => [t.component, t.action, t.value, t.unit, t.node, t.source, t.note ?? '']),
    ),
    'layers.csv': layersCsv(r),
    // vega is loaded only when a report is drawn
    'report.html': await (await import('../report/html.ts')).runReportHtml(r),
  };
  if (opts.trace) {
    const events: Record<string, unknown>[] = [];
    let pid = 1;
    for (const d of ['adc', 'split'] as const) {
      const res = out.results[d];
      if (!res || !res.ok || !res.trace) continue;
      for (const e of res.trace.traceEvents) events.push({ ...e, pid });
      pid++;
    }
    files['trace.json'] = JSON.stringify({ traceEvents: events, displayTimeUnit: 'ns' }) + '\n';
  }
  return writeDirAtomic(dir, files, { force: opts.force });
}

export function registerRun(program: Command): void {
  const addOptions = (c: Command) =>
    c
      .requiredOption('--arch <file>', 'architecture file (e.g. arch-configs/tile64.json)')
      .requiredOption('--model <file>', 'split model file; its "baseline" runs the ADC design')
      .addOption(new Option('--design <which>', 'designs to evaluate').choices(['both', 'adc', 'split']).default('both'))
      .option('--images <n>', 'evaluate the first N test images (default: all)', intOption('--images'))
      .option('--input <file>', 'read the inputs from a trace file (archsim trace) instead of the dataset')
      .addOption(backendOption())
      .option('--seed <n>', 'seed recorded with the run (the passes are deterministic)', intOption('--seed', 0), 1)
      .option('--adc-bits <b>', "override the chip's ADC resolution (1..16)", intOption('--adc-bits'))
      .option('--json', 'print the report as one JSON document on stdout')
      .option('--out <dir>', 'write report.json, report.html, layers.csv and tech-table.csv to DIR')
      .option('--trace', 'with --out: also write trace.json (Chrome/Perfetto event trace)')
      .option('--force', 'with --out: replace an existing non-empty folder')
      .action(async (opts: RunCliOptions) => {
        await runCommand(opts);
      });
  addOptions(program.command('run', { isDefault: true }).description('evaluate a split model and its baseline on a chip: ADC design vs split design (the default command)'));
}

export async function runCommand(opts: RunCliOptions): Promise<void> {
  if (opts.trace && !opts.out) throw new InputError('--trace: needs --out DIR (the trace is written to DIR/trace.json)');
  if (opts.force && !opts.out) throw new InputError('--force: only meaningful with --out');
  if (opts.adcBits !== undefined && (opts.adcBits < 1 || opts.adcBits > 16)) throw new InputError(`--adc-bits: must be from 1 to 16, found ${opts.adcBits}`);
  if (opts.out && existsSync(opts.out) && readdirSync(opts.out).length > 0 && !opts.force) {
    throw new InputError(`--out ${opts.out}: folder exists and is not empty (choose another, or add --force to replace it)`);
  }
  const t0 = performance.now();
  const job = prepareJob(opts);
  const sel = await selectEngine(opts.backend);
  const progress = opts.json ? undefined : makeProgress();
  let out: JobOutput;
  try {
    out = await runJob(job, sel.engine, { backend: sel.reason, seed: opts.seed, trace: opts.trace, adcBits: opts.adcBits, progress, t0 });
  } finally {
    await sel.engine.dispose();
    const { releaseGpu } = await import('../gpu/runtime.ts');
    await releaseGpu();
  }
  const report: RunReport = out.report;
  report.backend = sel.backend;
  if (opts.out) await writeRunOutputs(opts.out, out, opts);
  report.wallMs = Math.round(performance.now() - t0);
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else {
    let text = renderTable({ ...report, backend: sel.reason });
    if (!useColour()) text = text.replace(/\x1b\[[0-9;]*m/g, '');
    process.stdout.write(text);
    if (opts.out) process.stdout.write(`wrote ${opts.out}/report.json, report.html, layers.csv, tech-table.csv${opts.trace ? ', trace.json' : ''}\n`);
  }
  const requested = job.designs.map((d) => report.designs[d]!);
  if (requested.every((d) => !d.ok)) {
    throw new InputError(requested.map((d) => `${d.design} design does not fit ${job.arch.name}: ${d.reason}`).join('\n'));
  }
}
