import type { CreateServiceRequest, RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { createClusterRecord } from './clusters.js';
import type { EcsContext } from './context.js';
import { createService } from './services-api.js';
import { registerTaskDefinition } from './task-definitions.js';
import { timingsSchema, type EcsTimings } from './timings.js';

/**
 * The seed's `ecs` section. Task definitions and services take the same fields as RegisterTaskDefinition and
 * CreateService; they are validated by the same code, so a seed error reads like the API's.
 */
export const ecsSeedSchema = z
  .object({
    timings: timingsSchema.optional(),
    clusters: z.array(z.union([z.string(), z.object({ clusterName: z.string() }).passthrough()])).default([]),
    taskDefinitions: z.array(z.object({ family: z.string() }).passthrough()).default([]),
    services: z.array(z.object({ serviceName: z.string() }).passthrough()).default([]),
  })
  .strict();

export function parseEcsSeed(section: unknown): z.output<typeof ecsSeedSchema> {
  const parsed = ecsSeedSchema.safeParse(section);
  if (!parsed.success) throw new Error(`seed section ecs: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export function applyEcsSeed(ecs: EcsContext, seed: z.output<typeof ecsSeedSchema>, setTimings: (timings: EcsTimings) => void): void {
  if (seed.timings) setTimings(seed.timings);
  for (const cluster of seed.clusters) createClusterRecord(ecs, typeof cluster === 'string' ? { clusterName: cluster } : cluster);
  for (const definition of seed.taskDefinitions) registerTaskDefinition(ecs, definition as unknown as RegisterTaskDefinitionRequest);
  for (const service of seed.services) {
    try {
      createService(ecs, service as unknown as CreateServiceRequest);
    } catch (error) {
      throw new Error(`seed section ecs: service ${service.serviceName}: ${(error as Error).message}`);
    }
  }
}
