/**
 * Fargate's task-size rules: the valid cpu/memory pairs and the unit strings RegisterTaskDefinition accepts
 * ("1 vCPU", "2 GB"), which DescribeTaskDefinition returns as plain units ("1024", "2048").
 */
const MEMORY_BY_CPU: Record<number, { min: number; max: number; step: number; extra?: number[] }> = {
  256: { min: 1024, max: 2048, step: 1024, extra: [512] },
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

export function isValidFargateSize(cpu: number, memory: number): boolean {
  const rule = MEMORY_BY_CPU[cpu];
  if (!rule) return false;
  if (rule.extra?.includes(memory)) return true;
  return memory >= rule.min && memory <= rule.max && (memory - rule.min) % rule.step === 0;
}

/** "1 vCPU" -> "1024", "0.5 vcpu" -> "512", "512" -> "512"; undefined when not a size. */
export function normalizeCpu(value: string): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  return String(match[2] ? Math.round(amount * 1024) : amount);
}

/** "2 GB" -> "2048", "512 MiB" -> "512", "2048" -> "2048"; undefined when not a size. */
export function normalizeMemory(value: string): string | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(gb|gib|mb|mib)?\s*$/i.exec(value);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2]?.toLowerCase();
  return String(unit === 'gb' || unit === 'gib' ? Math.round(amount * 1024) : amount);
}
