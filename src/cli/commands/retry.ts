import type { Command } from 'commander';
import { operatorCommand, reportFailure, runOperatorRequest } from './promote.js';
import type { RequestFlags } from './promote.js';

export function register(program: Command): void {
  operatorCommand(program, 'retry', 'retry a failed revision: an aborted Canary/BlueGreen rollout from step 0, or a held Rolling/Native revision').action(async (service: string, flags: RequestFlags) => {
    try {
      process.exitCode = await runOperatorRequest('retry', service, flags);
    } catch (error) {
      reportFailure('retry', error);
    }
  });
}
