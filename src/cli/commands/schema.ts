import type { Command } from 'commander';
import { jsonSchemaText } from '../../manifest/index.js';

export function register(program: Command): void {
  program
    .command('schema')
    .description('print the manifest JSON Schema (the same as schema/ecs-reconciler.schema.json)')
    .action(() => {
      process.stdout.write(jsonSchemaText());
    });
}
