#!/usr/bin/env node
import { Command } from 'commander';

const program = new Command('ecs-reconciler')
  .description('GitOps reconciliation controller for AWS ECS')
  .version('0.1.0');

await program.parseAsync(process.argv);
