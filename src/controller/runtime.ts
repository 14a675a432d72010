/**
 * The controller process, wired: logger, metrics, AWS clients (rate-limited, counted and logged), the controller,
 * and the HTTP server. `run` and `dev` are thin CLI layers over `startController`.
 */
import { createRequire } from 'node:module';
import { createAwsClients, destroyAwsClients } from '../aws/index.js';
import type { AwsCallObserver, AwsClientOptions } from '../aws/index.js';
import type { RecordKey } from '../integrity/index.js';
import type { Logger } from '../log/logger.js';
import { createHighAvailability, withFence, withReplicaIdentity } from '../ha/index.js';
import type { HaSettings } from '../ha/index.js';
import type { InputLimits } from '../manifest/index.js';
import { createMetrics } from '../metrics/metrics.js';
import { startServer } from '../server/server.js';
import { AwsReadHealth } from './aws-reads.js';
import { Controller } from './controller.js';
import type { ControllerOptions } from './controller.js';
import { awsCallObserver, awsControllerIo } from './io.js';
import { startNotifications } from './notifications.js';
import { systemTime } from './time.js';
import type { WorkersExit } from './workers.js';

export const DEFAULT_LISTEN = { host: '127.0.0.1', port: 9400 };

export interface RuntimeOptions extends Pick<ControllerOptions, 'dir' | 'instance' | 'workers' | 'resyncMs' | 'prune' | 'pruneBudget' | 'shutdownTimeoutMs' | 'recordKey' | 'awsUnreachableAfterMs'> {
  log: Logger;
  /** Endpoint, region and client config; the observer is the runtime's own. */
  aws: Omit<AwsClientOptions, 'observer'>;
  listen: { host: string; port: number };
  debounceMs?: number;
  /** Leader election and sharding on a DynamoDB lease table (docs/ha.md); without it this process reconciles everything. */
  ha?: HaSettings;
  /** What the loader reads at most (docs/manifest.md, "Limits"); defaults to DEFAULT_INPUT_LIMITS. */
  limits?: InputLimits;
  /** Signs and verifies the records rollouts keep in AWS tags (loadRecordKey, or generated for the sandbox). */
  recordKey: RecordKey;
}

export interface RunningController {
  /** Where /metrics, /healthz, /readyz, /status and the status page are served. */
  url: string;
  controller: Controller;
  /** Stops the controller (bounded by the shutdown timeout), then the server and the clients. */
  stop(): Promise<WorkersExit>;
}

function packageVersion(): string {
  // The same relative path from src/controller and from dist/controller.
  const manifest = createRequire(import.meta.url)('../../package.json') as { version?: string };
  return manifest.version ?? 'unknown';
}

export async function startController(options: RuntimeOptions): Promise<RunningController> {
  const { log } = options;
  const metrics = createMetrics({ version: packageVersion() });
  const ha = options.ha ? await createHighAvailability(options.ha, { log, metrics, ...(options.aws.region ? { region: options.aws.region } : {}), ...(options.aws.clientConfig ? { clientConfig: options.aws.clientConfig } : {}) }) : undefined;
  const awsReads = new AwsReadHealth(systemTime);
  const observeCall = awsCallObserver(log, metrics);
  const observer: AwsCallObserver = (event) => {
    observeCall(event);
    awsReads.observe(event);
  };
  const clients = createAwsClients(withReplicaIdentity(ha, { ...options.aws, observer }));
  const controller = new Controller({
    dir: options.dir,
    instance: options.instance,
    io: withFence(
      ha,
      awsControllerIo({
        clients,
        instance: options.instance,
        scheduler: systemTime,
        clock: systemTime,
        recordKey: options.recordKey,
        ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
        ...(options.limits ? { limits: options.limits } : {}),
      }),
    ),
    recordKey: options.recordKey,
    metrics,
    log,
    awsReads,
    ...(options.awsUnreachableAfterMs !== undefined ? { awsUnreachableAfterMs: options.awsUnreachableAfterMs } : {}),
    ...(options.workers !== undefined ? { workers: options.workers } : {}),
    ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
    ...(options.prune !== undefined ? { prune: options.prune } : {}),
    ...(options.pruneBudget !== undefined ? { pruneBudget: options.pruneBudget } : {}),
    ...(options.shutdownTimeoutMs !== undefined ? { shutdownTimeoutMs: options.shutdownTimeoutMs } : {}),
    ...(ha ? { ownership: ha } : {}),
  });
  ha?.onChange(() => controller.ownershipChanged());
  const notifications = startNotifications({ log, metrics, controller, aws: options.aws, ownership: ha });
  try {
    await ha?.start();
  } catch (error) {
    destroyAwsClients(clients);
    throw error;
  }
  let server;
  try {
    server = await startServer({
      host: options.listen.host,
      port: options.listen.port,
      metrics: metrics.registry,
      status: () => ({ ...controller.status(), ...(ha ? { ha: ha.status() } : {}) }),
      ready: () => ({ ...controller.readiness(), ...(ha ? { role: ha.status().role } : {}) }),
      rollout: (key) => controller.rolloutView(key),
      decisions: (key) => controller.recentDecisions(key),
      onError: (error, path) => log.error({ err: error, path }, `serving ${path} failed`),
    });
  } catch (error) {
    await ha?.stop({ release: true });
    destroyAwsClients(clients);
    throw error;
  }
  log.info({ event: 'listening', url: server.url }, `serving /metrics, /healthz, /readyz, /status and the status page at ${server.url}`);
  // Not awaited: the initial sync may take long, and a SIGTERM meanwhile must still stop within the bound.
  controller.start().catch((error: unknown) => log.error({ err: error }, 'the controller failed to start'));
  const running = server;
  return {
    url: server.url,
    controller,
    async stop() {
      const exit = await controller.stop();
      notifications.stop();
      // Abandoned reconciles may still have writes in flight: then the leases expire instead of being handed over.
      await ha?.stop({ release: exit === 'drained' });
      await running.close();
      destroyAwsClients(clients);
      return exit;
    },
  };
}
