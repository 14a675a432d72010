#!/usr/bin/env node
import { Command } from 'commander';
import { register as registerSandbox } from './commands/sandbox.js';
import { register as registerValidate } from './commands/validate.js';
import { register as registerSchema } from './commands/schema.js';
import { register as registerDiff } from './commands/diff.js';
import { register as registerApply } from './commands/apply.js';
import { register as registerDev } from './commands/dev.js';
import { register as registerStatus } from './commands/status.js';
import { register as registerPromote } from './commands/promote.js';
import { register as registerAbort } from './commands/abort.js';
import { register as registerRetry } from './commands/retry.js';
import { register as registerRun } from './commands/run.js';
import { register as registerWait } from './commands/wait.js';
import { register as registerPrune } from './commands/prune.js';

// The SDK warns on every run that its releases after January 2027 need Node 22. Our lockfile pins the SDK, the
// container image runs a newer Node, and the warning on stderr would only clutter output that scripts read.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// `ecs-reconciler schema | head`: the reader has gone, which is not our error. Stop quietly, with the exit code so far.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit();
  });
}

const program = new Command('ecs-reconciler')
  .description('GitOps reconciliation controller for AWS ECS')
  .version('0.1.0');

registerSandbox(program);
registerValidate(program);
registerSchema(program);
registerDiff(program);
registerApply(program);
registerDev(program);
registerStatus(program);
registerPromote(program);
registerAbort(program);
registerRetry(program);
registerRun(program);
registerWait(program);
registerPrune(program);

await program.parseAsync(process.argv);
