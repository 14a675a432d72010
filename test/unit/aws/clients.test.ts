import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DescribeServicesCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { createAwsClients, destroyAwsClients } from '../../../src/aws/index.js';
import type { AwsCallEvent, LimiterClock } from '../../../src/aws/index.js';

interface FakeReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** An HTTP handler that answers ECS's awsJson1_1 protocol from a script, recording each request's target. */
function scriptedHandler(replies: FakeReply[]) {
  const targets: string[] = [];
  return {
    targets,
    handler: {
      handle: async (request: { headers: Record<string, string> }) => {
        targets.push(request.headers['x-amz-target'] ?? '');
        const reply = replies.shift() ?? { status: 200, body: {} };
        return {
          response: {
            statusCode: reply.status,
            headers: { 'content-type': 'application/x-amz-json-1.1', ...reply.headers },
            body: Readable.from([Buffer.from(JSON.stringify(reply.body))]),
          },
        };
      },
    },
  };
}

function manualClock(): LimiterClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const throttle: FakeReply = {
  status: 400,
  body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
  headers: { 'x-amzn-errortype': 'ThrottlingException' },
};

function clientsWith(replies: FakeReply[], extra: Parameters<typeof createAwsClients>[0] = {}) {
  const events: AwsCallEvent[] = [];
  const fake = scriptedHandler(replies);
  const clients = createAwsClients({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    observer: (event) => events.push(event),
    clientConfig: { requestHandler: fake.handler, credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' } },
    ...extra,
  });
  return { clients, events, targets: fake.targets };
}

describe('AWS client layer', () => {
  it('reports each attempt: a throttled attempt then its successful retry', async () => {
    const { clients, events, targets } = clientsWith([throttle, { status: 200, body: { services: [], failures: [] } }], {
      maxAttempts: 3,
      rateLimits: false,
    });
    await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['a'] }));
    expect(targets).toEqual(['AmazonEC2ContainerServiceV20141113.DescribeServices', 'AmazonEC2ContainerServiceV20141113.DescribeServices']);
    expect(events.map(({ api, operation, outcome, mutating }) => ({ api, operation, outcome, mutating }))).toEqual([
      { api: 'ecs', operation: 'DescribeServices', outcome: 'throttled', mutating: false },
      { api: 'ecs', operation: 'DescribeServices', outcome: 'ok', mutating: false },
    ]);
    destroyAwsClients(clients);
  });

  it('counts a non-throttling failure as error and a write as mutating', async () => {
    const { clients, events } = clientsWith(
      [{ status: 400, body: { __type: 'ClientException', message: 'bad' }, headers: { 'x-amzn-errortype': 'ClientException' } }],
      { rateLimits: false },
    );
    await expect(clients.ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [] }))).rejects.toThrow('bad');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ api: 'ecs', operation: 'RegisterTaskDefinition', outcome: 'error', mutating: true });
    destroyAwsClients(clients);
  });

  it('gives up after maxAttempts throttled attempts', async () => {
    const { clients, events } = clientsWith([throttle, throttle], { maxAttempts: 2, rateLimits: false });
    await expect(clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['a'] }))).rejects.toThrow('Rate exceeded');
    expect(events.map((event) => event.outcome)).toEqual(['throttled', 'throttled']);
    destroyAwsClients(clients);
  });

  it('waits for the per-operation bucket before each call', async () => {
    const clock = manualClock();
    const replies = Array.from({ length: 3 }, () => ({ status: 200, body: { taskDefinition: { family: 'x' } } }));
    const { clients, events } = clientsWith(replies, {
      clock,
      rateLimits: { ecs: { api: { ratePerSecond: 100, burst: 100 }, operations: { RegisterTaskDefinition: { ratePerSecond: 1, burst: 2 } } } },
    });
    for (let i = 0; i < 3; i++) {
      await clients.ecs.send(new RegisterTaskDefinitionCommand({ family: 'x', containerDefinitions: [] }));
    }
    expect(clock.slept).toEqual([1000]);
    expect(events.map((event) => event.outcome)).toEqual(['ok', 'ok', 'ok']);
    destroyAwsClients(clients);
  });

  it('sets the SDK retry mode and attempts on every client', async () => {
    const clients = createAwsClients({ region: 'us-east-1', retryMode: 'adaptive', maxAttempts: 5 });
    for (const client of Object.values(clients)) {
      const config = client.config as unknown as { retryMode: unknown; maxAttempts: () => Promise<number>; retryStrategy: () => Promise<{ mode: string }> };
      expect(config.retryMode).toBe('adaptive');
      expect(await config.maxAttempts()).toBe(5);
      expect((await config.retryStrategy()).mode).toBe('adaptive');
    }
    destroyAwsClients(clients);
  });

  describe('endpoint from the SDK environment', () => {
    const saved = { ...process.env };
    afterEach(() => {
      process.env = { ...saved };
    });

    async function hostOfFirstEcsCall(options: Parameters<typeof createAwsClients>[0]) {
      const seen: string[] = [];
      const handler = {
        handle: async (request: { hostname: string; port?: number }) => {
          seen.push(`${request.hostname}:${request.port ?? ''}`);
          return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{"services":[],"failures":[]}')]) } };
        },
      };
      const clients = createAwsClients({ ...options, rateLimits: false, clientConfig: { requestHandler: handler, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } } });
      await clients.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['a'] }));
      destroyAwsClients(clients);
      return seen[0];
    }

    it('reads AWS_REGION and AWS_ENDPOINT_URL_ECS itself', async () => {
      process.env.AWS_REGION = 'eu-west-1';
      process.env.AWS_ENDPOINT_URL_ECS = 'http://127.0.0.1:4599';
      expect(await hostOfFirstEcsCall({})).toBe('127.0.0.1:4599');
    });

    it('lets an explicit endpoint option win', async () => {
      process.env.AWS_ENDPOINT_URL_ECS = 'http://127.0.0.1:4599';
      expect(await hostOfFirstEcsCall({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4566' })).toBe('127.0.0.1:4566');
    });
  });

  it('rejects a nonsensical maxAttempts', () => {
    expect(() => createAwsClients({ maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});
