/** `npm run bench` options, parsed without a framework so the bench stays a plain script. */
export interface BenchOptions {
  services: number[];
  latencyMs: number;
  clusters: number;
  trials: number;
  /** Share of calls the sandbox answers with ThrottlingException in the throttling scenario. */
  throttleRate: number;
  /** Token-bucket rates (client and sandbox) multiplied by this for cold start, so N services converge in minutes. */
  coldRateScale: number;
  workers: number;
  /** V8's old-space limit for the controller process (`--max-old-space-size`), in MB; default production's. */
  controllerHeapMb: number | undefined;
  /** Scenarios to run; default all. */
  only: Set<ScenarioName> | undefined;
}

export const SCENARIOS = ['cold', 'steady', 'latency', 'pipeline', 'throttle'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/**
 * The V8 flags the controller runs with in production: NODE_OPTIONS in the Dockerfile and in
 * deploy/cloudformation.yaml (a unit test keeps all three equal), so the bench measures what runs there.
 * docs/performance.md says why these values.
 */
export const PRODUCTION_NODE_OPTIONS = '--max-old-space-size=512 --max-semi-space-size=4';

/** The controller process's flags: production's, with `--max-old-space-size` replaced when a limit is given. */
export function controllerNodeFlags(heapMb?: number): string[] {
  const flags = PRODUCTION_NODE_OPTIONS.split(' ');
  if (heapMb === undefined) return flags;
  return [...flags.filter((flag) => !flag.startsWith('--max-old-space-size=')), `--max-old-space-size=${heapMb}`];
}

export const DEFAULT_OPTIONS: BenchOptions = {
  services: [100, 1000, 5000],
  latencyMs: 30,
  clusters: 4,
  trials: 30,
  throttleRate: 0.3,
  coldRateScale: 20,
  workers: 16,
  controllerHeapMb: undefined,
  only: undefined,
};

const USAGE = `usage: npm run bench -- [--services N[,N...]] [--latency-ms 30] [--clusters 4] [--trials 30]
                        [--throttle 0.3] [--cold-rate-scale 20] [--workers 16] [--controller-heap-mb MB] [--only cold,steady,latency,pipeline,throttle]`;

function positiveInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`${flag} must be a positive integer, got ${value}\n${USAGE}`);
  return parsed;
}

function number(flag: string, value: string, min: number, max: number): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < min || parsed > max) throw new Error(`${flag} must be a number in ${min}..${max}, got ${value}\n${USAGE}`);
  return parsed;
}

function scenarios(value: string): Set<ScenarioName> {
  const names = value.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(SCENARIOS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--only: unknown scenario(s) ${unknown.join(', ')}; expected some of ${SCENARIOS.join(', ')}`);
  return new Set(names as ScenarioName[]);
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const options: BenchOptions = { ...DEFAULT_OPTIONS };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`);
      return next;
    };
    switch (flag) {
      case '--services':
        options.services = value().split(',').map((n) => positiveInteger('--services', n.trim()));
        break;
      case '--latency-ms':
        options.latencyMs = number('--latency-ms', value(), 0, 10_000);
        break;
      case '--clusters':
        options.clusters = positiveInteger('--clusters', value());
        break;
      case '--trials':
        options.trials = positiveInteger('--trials', value());
        break;
      case '--throttle':
        options.throttleRate = number('--throttle', value(), 0, 0.9);
        break;
      case '--cold-rate-scale':
        options.coldRateScale = number('--cold-rate-scale', value(), 1, 1000);
        break;
      case '--workers':
        options.workers = positiveInteger('--workers', value());
        break;
      case '--controller-heap-mb':
        options.controllerHeapMb = positiveInteger('--controller-heap-mb', value());
        break;
      case '--only':
        options.only = scenarios(value());
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return options;
}
