import { SandboxAccount } from './core/account.js';
import { BehaviourBook } from './core/behaviours.js';
import { ScaledClock, type AdjustableClock } from './core/clock.js';
import { loadSeedFile, seedStartMs, type SeedDocument } from './core/seed.js';
import { close, listen } from './core/server.js';
import type { SandboxServiceFactory } from './core/service.js';
import { SANDBOX_SERVICES } from './services.js';

export interface SandboxOptions {
  /** 0 picks a free port. Default 4566. */
  port?: number;
  host?: string;
  /** A seed file path (YAML or JSON) or an already parsed seed document. */
  seed?: string | SeedDocument;
  /** Default: a ScaledClock at `timeScale`. Tests pass a ManualClock. */
  clock?: AdjustableClock;
  /** Simulated seconds per wall second for the default clock; default: the seed's `clock.timeScale`, else 1. */
  timeScale?: number;
  region?: string;
  accountId?: string;
  /** Which services to run. Default: all of them. */
  services?: SandboxServiceFactory[];
  /** How often (wall ms) a non-manual clock's lifecycles progress without requests. Default 250. */
  tickIntervalMs?: number;
}

export interface RunningSandbox {
  endpoint: string;
  port: number;
  account: SandboxAccount;
  clock: AdjustableClock;
  stop(): Promise<void>;
}

/** Builds the simulated account and loads a seed into it, without any network. */
export function createAccount(options: Omit<SandboxOptions, 'seed' | 'port' | 'host'> & { seed?: SeedDocument } = {}): SandboxAccount {
  const seed = options.seed ?? {};
  const clock = options.clock ?? new ScaledClock(options.timeScale ?? seed.clock?.timeScale ?? 1, seedStartMs(seed.clock) ?? Date.now());
  const account = new SandboxAccount(clock, options.region ?? 'us-east-1', options.accountId ?? '123456789012');
  for (const factory of options.services ?? SANDBOX_SERVICES) account.addService(factory);
  if (seed.faults !== undefined) account.faults.configure(seed.faults);
  if (seed.behaviours !== undefined) account.behaviours.set(BehaviourBook.parse(seed.behaviours));
  const known = new Set(['clock', 'faults', 'behaviours', ...account.services.map((s) => s.name)]);
  const unknown = Object.keys(seed).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`seed: unknown section(s) ${unknown.join(', ')}; expected some of ${[...known].join(', ')}`);
  for (const service of account.services) {
    if (seed[service.name] !== undefined) service.applySeed?.(seed[service.name]);
  }
  account.tick();
  return account;
}

/** Starts the sandbox on host:port; `stop()` closes it. */
export async function startSandbox(options: SandboxOptions = {}): Promise<RunningSandbox> {
  const seed = typeof options.seed === 'string' ? await loadSeedFile(options.seed) : options.seed;
  const account = createAccount({ ...options, seed });
  const host = options.host ?? '127.0.0.1';
  const { server, port } = await listen(account, host, options.port ?? 4566);
  const timer = account.clock.manual ? undefined : setInterval(() => account.tick(), options.tickIntervalMs ?? 250);
  timer?.unref();
  return {
    endpoint: `http://${host}:${port}`,
    port,
    account,
    clock: account.clock,
    stop: async () => {
      if (timer) clearInterval(timer);
      await close(server);
    },
  };
}

/** SDK client settings for a sandbox endpoint: any credentials work, since signatures are not checked. */
export function sandboxClientConfig(endpoint: string, region = 'us-east-1') {
  return { endpoint, region, credentials: { accessKeyId: 'sandbox', secretAccessKey: 'sandbox' } };
}
