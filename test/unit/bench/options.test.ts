import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { controllerNodeFlags, DEFAULT_OPTIONS, parseBenchArgs, PRODUCTION_NODE_OPTIONS } from '../../../bench/lib/options.js';

describe('parseBenchArgs', () => {
  it('defaults to 100, 1,000 and 5,000 services at 30 ms', () => {
    expect(parseBenchArgs([])).toEqual(DEFAULT_OPTIONS);
    expect(DEFAULT_OPTIONS.services).toEqual([100, 1000, 5000]);
    expect(DEFAULT_OPTIONS.latencyMs).toBe(30);
  });

  it('reads flags with separate or inline values', () => {
    const options = parseBenchArgs(['--services', '1000', '--latency-ms=50', '--clusters', '2', '--trials', '10', '--throttle', '0.2', '--only', 'steady,latency']);
    expect(options).toMatchObject({ services: [1000], latencyMs: 50, clusters: 2, trials: 10, throttleRate: 0.2 });
    expect([...(options.only ?? [])]).toEqual(['steady', 'latency']);
  });

  it('takes a list of service counts', () => {
    expect(parseBenchArgs(['--services', '100,500']).services).toEqual([100, 500]);
  });

  it.each([
    [['--services', '0'], /--services must be a positive integer/],
    [['--services'], /--services needs a value/],
    [['--throttle', '1.5'], /--throttle must be a number in 0\.\.0\.9/],
    [['--only', 'cold,warp'], /unknown scenario\(s\) warp/],
    [['--fast'], /unknown option --fast/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe('the controller process flags', () => {
  it("are production's: the same NODE_OPTIONS as the Dockerfile and the CloudFormation template", async () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    const template = await readFile(path.join(root, 'deploy/cloudformation.yaml'), 'utf8');
    expect(dockerfile).toContain(`NODE_OPTIONS="${PRODUCTION_NODE_OPTIONS}"`);
    expect(template).toContain(`{Name: NODE_OPTIONS, Value: '${PRODUCTION_NODE_OPTIONS}'}`);
    expect(controllerNodeFlags()).toEqual(PRODUCTION_NODE_OPTIONS.split(' '));
  });

  it('replace only the old-space limit when the bench is given one', () => {
    const flags = controllerNodeFlags(256);
    expect(flags).toContain('--max-old-space-size=256');
    expect(flags.filter((flag) => flag.startsWith('--max-old-space-size='))).toHaveLength(1);
    expect(flags).toEqual(expect.arrayContaining(PRODUCTION_NODE_OPTIONS.split(' ').filter((flag) => !flag.startsWith('--max-old-space-size='))));
  });
});
