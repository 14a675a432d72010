import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../../../src/aws/index.js';
import type { AwsCallEvent } from '../../../src/aws/index.js';
import { CallRecorder, executeActions, summarizeCalls } from '../../../src/apply/index.js';

const event = (operation: string, outcome: AwsCallEvent['outcome'], api: AwsCallEvent['api'] = 'ecs'): AwsCallEvent => ({
  api,
  operation,
  outcome,
  durationSeconds: 0.01,
  mutating: !/^(Describe|List|Get)/.test(operation),
});

describe('summarizeCalls', () => {
  it('counts attempts by api, operation and outcome, reads apart from mutating calls', () => {
    const summary = summarizeCalls([
      event('DescribeServices', 'ok'),
      event('RegisterTaskDefinition', 'throttled'),
      event('RegisterTaskDefinition', 'ok'),
      event('UpdateService', 'error'),
      event('DescribeTargetGroups', 'ok', 'elbv2'),
    ]);
    expect(summary).toEqual({
      total: 5,
      reads: 2,
      mutating: 3,
      throttled: 1,
      operations: [
        { api: 'ecs', operation: 'DescribeServices', mutating: false, ok: 1, throttled: 0, error: 0 },
        { api: 'ecs', operation: 'RegisterTaskDefinition', mutating: true, ok: 1, throttled: 1, error: 0 },
        { api: 'ecs', operation: 'UpdateService', mutating: true, ok: 0, throttled: 0, error: 1 },
        { api: 'elbv2', operation: 'DescribeTargetGroups', mutating: false, ok: 1, throttled: 0, error: 0 },
      ],
    });
  });

  it('a recorder reports only the calls after a mark, so one recorder serves many passes', () => {
    const recorder = new CallRecorder();
    recorder.observer(event('DescribeServices', 'ok'));
    const mark = recorder.mark();
    recorder.observer(event('UpdateService', 'ok'));
    expect(recorder.since(mark).operations.map((entry) => entry.operation)).toEqual(['UpdateService']);
    expect(recorder.since().total).toBe(2);
  });
});

describe('throttling through the shared client layer', () => {
  it('a throttled RegisterTaskDefinition is retried with backoff, succeeds, and both attempts are counted', async () => {
    const replies = [
      { status: 200, body: { taskDefinitionArns: [] }, headers: {} },
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' }, headers: { 'x-amzn-errortype': 'ThrottlingException' } },
      { status: 200, body: { taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' } }, headers: {} },
    ];
    const requestHandler = {
      handle: async () => {
        const reply = replies.shift() ?? { status: 500, body: {}, headers: {} };
        return {
          response: {
            statusCode: reply.status,
            headers: { 'content-type': 'application/x-amz-json-1.1', ...reply.headers },
            body: Readable.from([Buffer.from(JSON.stringify(reply.body))]),
          },
        };
      },
    };
    const recorder = new CallRecorder();
    const clients = createAwsClients({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:1',
      observer: recorder.observer,
      rateLimits: false,
      clientConfig: { requestHandler, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } },
    });
    const execution = await executeActions(clients, [
      { kind: 'RegisterTaskDefinition', api: 'ecs', reason: 'new image', resourceKey: 'task-definition/web', input: { family: 'web', containerDefinitions: [] } },
    ]);
    destroyAwsClients(clients);
    expect(execution.error).toBeUndefined();
    expect(replies).toHaveLength(0);
    // The first reply answers the ListTaskDefinitions that looks for a revision with this content.
    expect(recorder.since().operations).toContainEqual({ api: 'ecs', operation: 'RegisterTaskDefinition', mutating: true, ok: 1, throttled: 1, error: 0 });
  });
});
