import { z } from 'zod';
import { manifestSchema } from './schema.js';

/**
 * The published JSON Schema for manifests (Service and AnalysisTemplate), generated from the zod schema's input
 * side (what users write). Draft 7, the dialect editors' YAML/JSON language servers support best.
 */
export function jsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(manifestSchema, { io: 'input', target: 'draft-7' });
  return { ...generated, title: 'ecs-reconciler manifest (ecs-reconciler/v1)' };
}

/** The schema file's exact text: what `ecs-reconciler schema` prints and schema/ecs-reconciler.schema.json holds. */
export function jsonSchemaText(): string {
  return `${JSON.stringify(jsonSchema(), null, 2)}\n`;
}
