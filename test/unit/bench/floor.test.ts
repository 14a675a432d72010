import { describe, expect, it } from 'vitest';
import { coldStartWriteFloor, resyncReadFloor, totalCalls } from '../../../bench/lib/floor.js';
import { serviceManifestYaml, workloadServices } from '../../../bench/lib/workload.js';
import type { GeneratedService } from '../../../bench/lib/workload.js';
import { parseManifestFile } from '../../../src/manifest/parse.js';
import type { ServiceManifest } from '../../../src/manifest/index.js';

function manifestOf(service: GeneratedService): ServiceManifest {
  const parsed = parseManifestFile(`${service.name}.yaml`, serviceManifestYaml(service));
  expect(parsed.diagnostics).toEqual([]);
  return parsed.documents[0]!.manifest as ServiceManifest;
}

const plain = (name: string, cluster = 'a'): GeneratedService => ({ name, cluster, autoscaled: false, targetGroup: undefined });

describe('resyncReadFloor', () => {
  it('is nothing for no manifests', () => {
    expect(resyncReadFloor([])).toEqual({});
  });

  it('pages ListServices by 100 and DescribeServices by 10 per cluster, plus one namespace page of scalable targets', () => {
    const manifests = [...Array.from({ length: 101 }, (_, i) => plain(`a${i}`, 'a')), ...Array.from({ length: 9 }, (_, i) => plain(`b${i}`, 'b'))].map(manifestOf);
    expect(resyncReadFloor(manifests)).toEqual({
      'ecs.ListServices': 2 + 1,
      'ecs.DescribeServices': 11 + 1,
      'autoscaling.DescribeScalableTargets': 1,
    });
  });

  it('reads scaling policies and scheduled actions only when a service is autoscaled', () => {
    const manifests = [{ ...plain('s1'), autoscaled: true }, { ...plain('s2'), autoscaled: true }, plain('p')].map(manifestOf);
    expect(resyncReadFloor(manifests)).toMatchObject({
      'autoscaling.DescribeScalableTargets': 1,
      'autoscaling.DescribeScalingPolicies': 1,
      'autoscaling.DescribeScheduledActions': 1,
    });
  });

  it('batches target groups by 20', () => {
    const manifests = Array.from({ length: 21 }, (_, i) => ({ ...plain(`t${i}`), targetGroup: `tg-${i}` })).map(manifestOf);
    expect(resyncReadFloor(manifests)['elbv2.DescribeTargetGroups']).toBe(2);
  });

  it('matches the generated workload at 1,000 services in 4 clusters', () => {
    const floor = resyncReadFloor(workloadServices({ services: 1000, clusters: 4 }).map(manifestOf));
    expect(floor).toEqual({
      'ecs.ListServices': 4 * 3,
      'ecs.DescribeServices': 4 * 25,
      'autoscaling.DescribeScalableTargets': 4,
      'autoscaling.DescribeScalingPolicies': 20,
      'autoscaling.DescribeScheduledActions': 1,
      'elbv2.DescribeTargetGroups': 5,
    });
    expect(totalCalls(floor)).toBe(142);
  });
});

describe('coldStartWriteFloor', () => {
  it('is one registration and one creation per service, and the scaling target and policies of scaled ones', () => {
    const manifests = [{ ...plain('s1'), autoscaled: true }, plain('p'), { ...plain('t'), targetGroup: 'tg-t' }].map(manifestOf);
    expect(coldStartWriteFloor(manifests)).toEqual({
      'ecs.RegisterTaskDefinition': 3,
      'ecs.CreateService': 3,
      'autoscaling.RegisterScalableTarget': 1,
      'autoscaling.PutScalingPolicy': 1,
    });
  });
});
