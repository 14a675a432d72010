/**
 * `npm run bench`: the real controller (a child process) against the sandbox (another child process), with
 * per-call latency and AWS's token buckets, over generated manifests in several clusters. Prints every figure
 * next to its floor or target, writes each size's figures to bench/results/results-<N>.json (replacing that size's
 * previous run) and rebuilds bench/results/results.md from every size stored there.
 */
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDesiredState } from '../src/manifest/index.js';
import { sandboxThrottle } from './lib/limits.js';
import { parseBenchArgs } from './lib/options.js';
import type { BenchOptions, ScenarioName } from './lib/options.js';
import { ControllerProcess, removeCompiledController } from './lib/processes.js';
import { isResultFileName, markdownTable, resultFileName, runsBySize } from './lib/report.js';
import type { RunResult, StoredRun } from './lib/report.js';
import { createWorld } from './lib/world.js';
import { coldStart } from './scenarios/cold-start.js';
import { commitLatency } from './scenarios/commit-latency.js';
import { pipeline } from './scenarios/pipeline.js';
import { restart, steadyState } from './scenarios/steady-state.js';
import { throttled } from './scenarios/throttled.js';

const RESYNCS = 3;
// Children inherit it: the SDK's notice about future Node versions is not a benchmark figure.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const resultsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

const heap = (options: BenchOptions) => (options.controllerHeapMb === undefined ? {} : { heapMb: options.controllerHeapMb });

async function runFor(services: number, options: BenchOptions): Promise<RunResult> {
  const wants = (name: ScenarioName) => options.only === undefined || options.only.has(name);
  const shape = { services, clusters: options.clusters };
  const result: RunResult = { services, clusters: options.clusters };
  if (wants('cold') || wants('steady') || wants('latency') || wants('pipeline')) {
    const world = await createWorld(shape, {});
    try {
      log(`N=${services}: cold start at ${options.coldRateScale}x AWS rates`);
      result.cold = await coldStart(world, { latencyMs: options.latencyMs, rateScale: options.coldRateScale, workers: options.workers, ...heap(options) });
      log(`N=${services}: converged in ${result.cold.seconds.toFixed(1)} s; restarting at AWS rates`);
      await world.sandbox.setFaults({ latencyMs: options.latencyMs, throttle: sandboxThrottle() });
      const started = await restart(world, () => ControllerProcess.start({ dir: world.dir, endpoint: world.sandbox.endpoint, workers: options.workers, rateScale: 1, ...heap(options) }));
      result.restart = started.result;
      const peakRss = async () => (await started.controller.request('usage')).maxRssBytes;
      try {
        const afterRestart = await peakRss();
        if (wants('steady')) {
          log(`N=${services}: ${RESYNCS} full resyncs`);
          result.steady = await steadyState(world, started.controller, RESYNCS);
        }
        const afterResyncs = await peakRss();
        if (wants('latency')) {
          log(`N=${services}: ${options.trials} commit-to-action trials`);
          result.latency = await commitLatency(world, options.trials);
        }
        const usage = await started.controller.request('usage');
        result.resources = { peakRssBytes: usage.maxRssBytes, peakRssBytesAfterRestart: afterRestart, peakRssBytesAfterResyncs: afterResyncs, rssBytes: usage.rssBytes, heapUsedBytes: usage.heapUsedBytes };
      } finally {
        await started.controller.stop();
      }
      if (wants('pipeline')) {
        log(`N=${services}: normalize + diff + plan in-process`);
        result.pipeline = await pipeline(world, [...(await loadDesiredState(world.dir)).services.values()]);
      }
    } finally {
      await world.close();
    }
  }
  if (wants('throttle')) {
    log(`N=${services}: cold start with ${options.throttleRate * 100}% of calls throttled`);
    const world = await createWorld(shape, {});
    try {
      result.throttled = await throttled(world, { latencyMs: options.latencyMs, throttleRate: options.throttleRate, rateScale: options.coldRateScale, workers: options.workers, ...heap(options) });
    } finally {
      await world.close();
    }
  }
  return result;
}

async function storedRuns(): Promise<StoredRun[]> {
  const names = (await readdir(resultsDir)).filter(isResultFileName);
  return Promise.all(names.map(async (name) => JSON.parse(await readFile(path.join(resultsDir, name), 'utf8')) as StoredRun));
}

/** With --only, the figures of the scenarios not run this time are kept from the size's previous run. */
async function withPreviousFigures(run: RunResult): Promise<RunResult> {
  if (!options.only) return run;
  const previous = (await storedRuns()).find((stored) => stored.run.services === run.services);
  return previous ? { ...previous.run, ...run } : run;
}

const options = parseBenchArgs(process.argv.slice(2));
const runs: RunResult[] = [];
await mkdir(resultsDir, { recursive: true });
for (const services of options.services) {
  const run = await withPreviousFigures(await runFor(services, options));
  runs.push(run);
  // Written after each N, so a long run that is stopped still leaves its figures.
  const stored: StoredRun = { options: { ...options, only: options.only && [...options.only] }, run };
  await writeFile(path.join(resultsDir, resultFileName(services)), `${JSON.stringify(stored, null, 2)}\n`);
  await writeFile(path.join(resultsDir, 'results.md'), `# Benchmark results\n\n${markdownTable(runsBySize(await storedRuns()), options)}`);
}
await removeCompiledController();
process.stdout.write(`\n${markdownTable(runs, options)}`);
