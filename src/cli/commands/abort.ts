import type { Command } from 'commander';
import { operatorCommand, reportFailure, runOperatorRequest } from './promote.js';
import type { RequestFlags } from './promote.js';

export function register(program: Command): void {
  operatorCommand(program, 'abort', 'abort a Canary/BlueGreen rollout: traffic back to the stable version, the new task set removed (Degraded until retry)').action(async (service: string, flags: RequestFlags) => {
    try {
      process.exitCode = await runOperatorRequest('abort', service, flags);
    } catch (error) {
      reportFailure('abort', error);
    }
  });
}
