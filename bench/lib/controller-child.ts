/**
 * The real controller (`startController`, as `ecs-reconciler run` starts it) in its own process, driven by the
 * bench over IPC: it reports its status, runs a resync on request, and measures its own CPU and peak RSS.
 */
import { DEFAULT_RATE_LIMITS } from '../../src/aws/index.js';
import type { RateLimitSettings } from '../../src/aws/index.js';
import { startController } from '../../src/controller/runtime.js';
import { RecordKey } from '../../src/integrity/index.js';
import { createLogger } from '../../src/log/logger.js';
import type { ControllerReply, ControllerRequest, ControllerSettings } from './controller-protocol.js';

function scaled(limits: RateLimitSettings, factor: number): RateLimitSettings {
  const scale = (bucket: { ratePerSecond: number; burst: number }) => ({ ratePerSecond: bucket.ratePerSecond * factor, burst: bucket.burst });
  return {
    api: scale(limits.api),
    ...(limits.operations ? { operations: Object.fromEntries(Object.entries(limits.operations).map(([op, bucket]) => [op, scale(bucket)])) } : {}),
  };
}

const settings = JSON.parse(process.env.BENCH_CONTROLLER ?? '') as ControllerSettings;
// What sandboxClientConfig returns, written out: importing src/sandbox/sandbox.js would load the whole simulated AWS
// (about 60 modules) into the process whose memory is being measured, which `run` does not need.
const endpoint = settings.endpoint;
const region = 'us-east-1';
const credentials = { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' };
const running = await startController({
  dir: settings.dir,
  instance: 'ecs-reconciler',
  workers: settings.workers,
  // The bench triggers every resync itself; the timer must not add one in the middle of a measurement.
  resyncMs: 24 * 3600_000,
  log: createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'fatal', pretty: false, destination: process.stderr }),
  aws: {
    endpoint,
    region,
    clientConfig: { credentials },
    rateLimits: Object.fromEntries(Object.entries(DEFAULT_RATE_LIMITS).map(([api, limits]) => [api, scaled(limits, settings.rateScale)])),
  },
  listen: { host: '127.0.0.1', port: 0 },
  recordKey: RecordKey.generate(),
});

function cpuSeconds(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1e6;
}

async function answer(request: ControllerRequest): Promise<ControllerReply> {
  switch (request.type) {
    case 'status': {
      const services = running.controller.status().services;
      return {
        type: 'status',
        ready: running.controller.readiness().ready,
        total: services.length,
        synced: services.filter((s) => s.syncStatus === 'Synced').length,
        healthy: services.filter((s) => s.healthStatus === 'Healthy').length,
      };
    }
    case 'resync': {
      const cpuBefore = cpuSeconds();
      const startedAt = performance.now();
      await running.controller.resync();
      return { type: 'resync', seconds: (performance.now() - startedAt) / 1000, cpuSeconds: cpuSeconds() - cpuBefore, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    }
    case 'usage': {
      const memory = process.memoryUsage();
      return { type: 'usage', cpuSeconds: cpuSeconds(), maxRssBytes: process.resourceUsage().maxRSS * 1024, rssBytes: memory.rss, heapUsedBytes: memory.heapUsed };
    }
  }
}

process.on('message', (message: { id: number; request: ControllerRequest }) => {
  answer(message.request).then(
    (reply) => process.send?.({ id: message.id, reply }),
    (error: unknown) => process.send?.({ id: message.id, error: String(error) }),
  );
});
process.on('disconnect', () => void running.stop().finally(() => process.exit(0)));
process.send?.({ type: 'ready', url: running.url });
