import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const seedClockSchema = z
  .object({
    /** Simulated start time: ISO-8601 or epoch ms. */
    start: z.union([z.string().datetime({ offset: true }), z.number().int()]).optional(),
    /** Simulated seconds per wall second (ScaledClock); ignored when the caller passes its own clock. */
    timeScale: z.number().positive().optional(),
  })
  .strict();

/**
 * A seed document: `clock`, `faults` and `behaviours` for the core, plus one section per service name
 * (`ecs`, `elbv2`, `autoscaling`, `cloudwatch`), each handed untouched to that service's `applySeed`.
 */
export const seedSchema = z
  .object({
    clock: seedClockSchema.optional(),
    faults: z.unknown().optional(),
    behaviours: z.unknown().optional(),
  })
  .catchall(z.unknown());

export type SeedDocument = z.output<typeof seedSchema>;

export function parseSeed(text: string, source: string): SeedDocument {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new Error(`${source}: not valid YAML or JSON: ${(error as Error).message}`);
  }
  const parsed = seedSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${source}: invalid seed: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export async function loadSeedFile(path: string): Promise<SeedDocument> {
  return parseSeed(await readFile(path, 'utf8'), path);
}

export function seedStartMs(clock: SeedDocument['clock']): number | undefined {
  if (clock?.start === undefined) return undefined;
  return typeof clock.start === 'number' ? clock.start : Date.parse(clock.start);
}
