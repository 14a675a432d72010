import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeServicesCommand, ECSClient, TagResourceCommand } from '@aws-sdk/client-ecs';
import { newRequestToken, parseServiceArgument, sendOperatorRequest } from '../../../src/rollout/engine/index.js';
import { parseRequest } from '../../../src/rollout/index.js';

describe('the SERVICE argument', () => {
  it('takes cluster/name, or a name with --cluster', () => {
    expect(parseServiceArgument('prod/web', undefined)).toEqual({ cluster: 'prod', service: 'web' });
    expect(parseServiceArgument('web', 'prod')).toEqual({ cluster: 'prod', service: 'web' });
    expect(parseServiceArgument('prod/web', 'prod')).toEqual({ cluster: 'prod', service: 'web' });
  });

  it('takes a bare name that only one known service has, in whichever cluster', () => {
    const known = [
      { cluster: 'demo', name: 'web' },
      { cluster: 'demo', name: 'checkout' },
      { cluster: 'prod', name: 'web' },
    ];
    expect(parseServiceArgument('checkout', undefined, known)).toEqual({ cluster: 'demo', service: 'checkout' });
    expect(() => parseServiceArgument('web', undefined, known)).toThrow('service "web" is in several clusters: demo/web, prod/web; give it as cluster/name, or pass --cluster');
    expect(() => parseServiceArgument('cart', undefined, known)).toThrow('service "cart": no manifest names a service of that name (the manifests name demo/checkout, demo/web, prod/web)');
    expect(parseServiceArgument('web', 'prod', known)).toEqual({ cluster: 'prod', service: 'web' });
  });

  it('says what is wrong', () => {
    expect(() => parseServiceArgument('web', undefined)).toThrow('service "web": no manifest names a service of that name; give it as cluster/name, or pass --cluster');
    expect(() => parseServiceArgument('prod/web', 'staging')).toThrow('names cluster prod, but --cluster says staging');
    expect(() => parseServiceArgument('a/b/c', undefined)).toThrow('must be cluster/name or name');
  });
});

describe('operator requests', () => {
  const ARN = 'arn:aws:ecs:us-east-1:123456789012:service/prod/web';

  it('writes <verb>:<token> on the service with the caller credentials', async () => {
    const ecs = new ECSClient({ region: 'us-east-1' });
    const mock = mockClient(ecs);
    mock.on(DescribeServicesCommand).resolves({ services: [{ serviceArn: ARN, status: 'ACTIVE', deploymentController: { type: 'EXTERNAL' } }] });
    mock.on(TagResourceCommand).resolves({});
    const { request } = await sendOperatorRequest(ecs, { cluster: 'prod', service: 'web' }, 'promote-full', 'tok-1');
    expect(request).toBe('promote-full:tok-1');
    expect(mock.commandCalls(TagResourceCommand)[0]?.args[0].input).toEqual({ resourceArn: ARN, tags: [{ key: 'ecs-reconciler:request', value: 'promote-full:tok-1' }] });
  });

  it('refuses services that are missing or not driven by the rollout engine', async () => {
    const ecs = new ECSClient({ region: 'us-east-1' });
    const mock = mockClient(ecs);
    mock.on(DescribeServicesCommand).resolvesOnce({ services: [], failures: [{ reason: 'MISSING' }] }).resolves({ services: [{ serviceArn: ARN, status: 'ACTIVE' }] });
    await expect(sendOperatorRequest(ecs, { cluster: 'prod', service: 'web' }, 'abort')).rejects.toThrow('service prod/web not found');
    await expect(sendOperatorRequest(ecs, { cluster: 'prod', service: 'web' }, 'abort')).rejects.toThrow('is not a Canary or BlueGreen service (deployment controller ECS)');
    expect(mock.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('sends retry to any strategy: it also ends the failed-revision hold of a Rolling service', async () => {
    const ecs = new ECSClient({ region: 'us-east-1' });
    const mock = mockClient(ecs);
    mock.on(DescribeServicesCommand).resolves({ services: [{ serviceArn: ARN, status: 'ACTIVE', deploymentController: { type: 'ECS' } }] });
    mock.on(TagResourceCommand).resolves({});
    await expect(sendOperatorRequest(ecs, { cluster: 'prod', service: 'web' }, 'promote')).rejects.toThrow('is not a Canary or BlueGreen service');
    const { request } = await sendOperatorRequest(ecs, { cluster: 'prod', service: 'web' }, 'retry', 'tok-2');
    expect(request).toBe('retry:tok-2');
    expect(mock.commandCalls(TagResourceCommand)).toHaveLength(1);
  });

  it('makes tokens that differ and parse as requests', () => {
    const a = newRequestToken(1767268800000);
    const b = newRequestToken(1767268800000);
    expect(a).not.toBe(b);
    expect(parseRequest(`retry:${a}`)).toMatchObject({ ok: true, verb: 'retry' });
  });
});
