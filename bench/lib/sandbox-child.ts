/** The sandbox in its own process, so the controller's CPU and memory are measured without it. argv[2]: seed file. */
import { startSandbox } from '../../src/sandbox/sandbox.js';

const seed = process.argv[2];
if (seed === undefined) throw new Error('usage: sandbox-child.ts SEED_FILE');
const sandbox = await startSandbox({ port: 0, seed, timeScale: 1 });
process.send?.({ type: 'ready', endpoint: sandbox.endpoint });
process.on('disconnect', () => void sandbox.stop().finally(() => process.exit(0)));
