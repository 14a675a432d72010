import type { Command } from 'commander';

interface SandboxFlags {
  port: string;
  host: string;
  seed?: string;
  timeScale?: string;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer 0..65535, got ${value}`);
  return port;
}

function parseTimeScale(value: string): number {
  const scale = Number(value);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`--time-scale must be a positive number, got ${value}`);
  return scale;
}

export function register(program: Command): void {
  program
    .command('sandbox')
    .description('run the local simulated AWS account (ECS, ELBv2, Application Auto Scaling, CloudWatch)')
    .option('--port <port>', 'port to listen on (0 = any free port)', '4566')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--seed <file>', 'seed file (YAML or JSON) loaded at start')
    .option('--time-scale <n>', "simulated seconds per wall-clock second (default: the seed's clock.timeScale, else 1)")
    .action(async (flags: SandboxFlags) => {
      // Imported here: the CLI registers every command at start, and `run` must not load the simulation.
      const { startSandbox } = await import('../../sandbox/sandbox.js');
      const sandbox = await startSandbox({
        port: parsePort(flags.port),
        host: flags.host,
        ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
        ...(flags.timeScale !== undefined ? { timeScale: parseTimeScale(flags.timeScale) } : {}),
      });
      console.log(`sandbox listening on ${sandbox.endpoint}; admin endpoints under ${sandbox.endpoint}/_sandbox/`);
      console.log(`use it with: AWS_ENDPOINT_URL=${sandbox.endpoint} AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`);
      const shutdown = () => {
        sandbox.stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
