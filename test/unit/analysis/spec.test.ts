import { describe, expect, it } from 'vitest';
import { resolveArgs, substituteArgs } from '../../../src/rollout/analysis/args.js';
import { AnalysisConfigError, createRunSpec, rolloutArgs } from '../../../src/rollout/analysis/index.js';
import { specOf, template, webMetric } from './helpers.js';

const configError = (action: () => unknown): AnalysisConfigError => {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(AnalysisConfigError);
    return error as AnalysisConfigError;
  }
  throw new Error('expected an AnalysisConfigError');
};

describe('args', () => {
  const declared = template('t', [webMetric()], [{ name: 'service' }, { name: 'threshold', value: '0.05' }, { name: 'canaryTargetGroup' }]);

  it('takes step args over rollout context args over template defaults', () => {
    expect(resolveArgs([declared], [{ name: 'service', value: 'checkout' }], { canaryTargetGroup: 'targetgroup/green/1', service: 'ignored', unrelated: 'x' })).toEqual({
      service: 'checkout',
      threshold: '0.05',
      canaryTargetGroup: 'targetgroup/green/1',
    });
    expect(resolveArgs([declared], [{ name: 'threshold', value: '0.1' }], { service: 's', canaryTargetGroup: 'c' })).toMatchObject({ threshold: '0.1' });
  });

  it('reports every arg without a value and every undeclared arg at once', () => {
    const error = configError(() => resolveArgs([declared], [{ name: 'servcie', value: 'x' }]));
    expect(error.problems).toEqual([
      'arg "servcie" is passed but not declared in spec.args of t',
      'arg "service" of t has no value: pass it from the analysis step or give it a default',
      'arg "canaryTargetGroup" of t has no value: pass it from the analysis step or give it a default',
    ]);
  });

  it('substitutes placeholders in nested provider fields, with or without spaces', () => {
    const provider = { web: { url: 'http://x/{{args.service}}/{{ args.service }}', headers: [{ key: 'k', value: '{{args.threshold}}' }] } };
    expect(substituteArgs(provider, { service: 'a', threshold: '1' }, 'm')).toEqual({ web: { url: 'http://x/a/a', headers: [{ key: 'k', value: '1' }] } });
  });

  it('names the field of a placeholder without a value, and rejects unknown placeholder forms', () => {
    expect(() => substituteArgs({ web: { headers: [{ value: '{{args.token}}' }] } }, {}, 'm')).toThrow('m.web.headers[0].value: {{args.token}} has no value');
    expect(() => substituteArgs('{{ service }}', {}, 'm')).toThrow('unsupported placeholder {{ service }}: only {{args.NAME}} is substituted');
  });

  it('turns rollout facts into CloudWatch dimension values', () => {
    expect(
      rolloutArgs({
        cluster: 'prod',
        service: 'checkout',
        stableTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-blue/0123456789abcdef',
        canaryTargetGroupArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/checkout-green/fedcba9876543210',
        loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/demo-alb/50dc6c495c0c9188',
      }),
    ).toEqual({
      cluster: 'prod',
      service: 'checkout',
      stableTargetGroup: 'targetgroup/checkout-blue/0123456789abcdef',
      canaryTargetGroup: 'targetgroup/checkout-green/fedcba9876543210',
      loadBalancer: 'app/demo-alb/50dc6c495c0c9188',
    });
  });
});

describe('createRunSpec', () => {
  it('fills defaults and converts durations', () => {
    const spec = specOf([template('t', [webMetric({ interval: '1m', count: 3, initialDelay: 30, successCondition: 'result.ok' })])]);
    expect(spec).toMatchObject({ templates: ['t'], args: {}, background: false });
    expect(spec.metrics[0]).toMatchObject({
      name: 'ok',
      template: 't',
      successCondition: { source: 'result.ok' },
      policy: { intervalMs: 60_000, initialDelayMs: 30_000, count: 3, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4 },
    });
    expect(spec.metrics[0]).not.toHaveProperty('failureCondition');
  });

  it.each([
    ['inline, no count', false, { interval: '1m' }, 1],
    ['background with an interval, no count: until terminated', true, { interval: '1m' }, undefined],
    ['background without an interval: one measurement', true, {}, 1],
    ['explicit count', true, { interval: '1m', count: 5 }, 5],
  ])('count: %s', (_, background, metric, count) => {
    const spec = specOf([template('t', [webMetric(metric)])], { background });
    expect(spec.metrics[0]!.policy.count).toBe(count);
  });

  it('substitutes args into conditions', () => {
    const spec = specOf([template('t', [webMetric({ successCondition: 'result < {{args.max}}' })], [{ name: 'max', value: '0.05' }])]);
    expect(spec.metrics[0]!.successCondition!.source).toBe('result < 0.05');
  });

  it('gives cloudwatchAlarm metrics default conditions, unless the template sets one', () => {
    const alarm = { name: 'alarm', provider: { cloudwatchAlarm: { alarmName: 'x' } } };
    const [defaults, custom] = specOf([template('a', [alarm]), template('b', [{ ...alarm, name: 'custom', failureCondition: 'result != "OK"' }])]).metrics;
    expect(defaults!.successCondition!.source).toBe('result == "OK"');
    expect(defaults!.failureCondition!.source).toBe('result == "ALARM"');
    expect(custom).not.toHaveProperty('successCondition');
    expect(custom!.failureCondition!.source).toBe('result != "OK"');
  });

  it('reports every problem of the templates and the call at once', () => {
    const bad = template(
      'bad',
      [
        webMetric({ name: 'a', count: 3, successCondition: 'result[0] <', failureCondition: 'foo' }),
        webMetric({ name: 'b', interval: 0, provider: { web: { url: 'http://x/{{args.missing}}' } } }),
      ],
      [{ name: 'needed' }],
    );
    const other = template('other', [webMetric({ name: 'b' })]);
    const error = configError(() =>
      createRunSpec({ ref: { templates: ['bad', 'other', 'nope'] }, templates: new Map([['bad', bad], ['other', other]]) }),
    );
    expect(error.problems).toEqual([
      'AnalysisTemplate "nope" does not exist',
      'arg "needed" of bad has no value: pass it from the analysis step or give it a default',
      'bad/a: count 3 needs an interval between measurements',
      'bad/a.successCondition: unexpected end of expression at 1:12',
      expect.stringMatching(/^bad\/a.failureCondition: unknown name "foo": .* at 1:1$/),
      'bad/b: interval must be longer than 0s',
      'bad/b.provider.web.url: {{args.missing}} has no value (declare it in spec.args with a default, or pass it from the analysis step)',
      'metric "b" is defined by more than one of bad, other, nope',
    ]);
    expect(error.message).toMatch(/^analysis cannot start:\n- AnalysisTemplate "nope" does not exist\n/);
  });

  it('accepts the desired-state snapshot entries as templates', () => {
    const manifest = template('t', [webMetric()]);
    const spec = createRunSpec({ ref: { templates: ['t'] }, templates: new Map([['t', { name: 't', manifest, source: { file: 't.yaml', line: 1, col: 1 }, hash: 'h' }]]) });
    expect(spec.metrics.map((m) => m.name)).toEqual(['ok']);
  });
});
