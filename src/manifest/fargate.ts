/**
 * Task-level cpu/memory: AWS accepts CPU units ("1024") or vCPUs ("1 vCPU"), and MiB ("2048") or GB ("2 GB").
 * Fargate accepts only certain pairs (AWS "Task CPU and memory" table, Linux platform).
 */

function parseUnits(value: string, unitPattern: RegExp): number | undefined {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const scaled = unitPattern.exec(trimmed);
  if (!scaled?.[1]) return undefined;
  const units = Number(scaled[1]) * 1024;
  return Number.isInteger(units) ? units : undefined;
}

/** CPU units from "512", "1 vCPU", "0.5 vcpu"; undefined when unreadable. */
export function parseTaskCpu(cpu: string): number | undefined {
  return parseUnits(cpu, /^(\d+(?:\.\d+)?)\s*vcpu$/i);
}

/** MiB from "2048", "2 GB", "0.5GB"; undefined when unreadable. */
export function parseTaskMemory(memory: string): number | undefined {
  return parseUnits(memory, /^(\d+(?:\.\d+)?)\s*gb$/i);
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

const FARGATE_MEMORY_BY_CPU: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

export const FARGATE_CPU_VALUES: readonly number[] = [...FARGATE_MEMORY_BY_CPU.keys()];

/** The memory sizes (MiB) Fargate accepts with this many CPU units; undefined when the CPU itself is not a Fargate size. */
export function fargateMemoryOptions(cpuUnits: number): readonly number[] | undefined {
  return FARGATE_MEMORY_BY_CPU.get(cpuUnits);
}

/** Describes an option list compactly for messages: "2048-8192 in steps of 1024" or "512, 1024, 2048". */
export function describeMemoryOptions(options: readonly number[]): string {
  const [first, second] = options;
  const last = options[options.length - 1];
  if (options.length <= 3 || first === undefined || second === undefined || last === undefined) return options.join(', ');
  return `${first}-${last} in steps of ${second - first}`;
}
