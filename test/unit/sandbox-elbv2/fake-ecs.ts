import type { EcsView, TargetProcess } from '../../../src/sandbox/world.js';

/** An EcsView whose processes and services a test sets by hand. */
export class FakeEcs implements EcsView {
  readonly processes = new Map<string, TargetProcess>();
  readonly services = new Map<string, { desiredCount: number; runningCount: number; cpu: number; memory: number }>();

  addProcess(ip: string, port: number, overrides: Partial<TargetProcess> = {}): TargetProcess {
    const process: TargetProcess = {
      taskArn: `arn:aws:ecs:us-east-1:123456789012:task/prod/${ip.replaceAll('.', '')}`,
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
      serviceName: 'checkout',
      image: 'checkout:1',
      running: true,
      passesHealthCheck: true,
      errorRate: 0,
      latencyMs: 20,
      ...overrides,
    };
    this.processes.set(`${ip}:${port}`, process);
    return process;
  }

  addService(cluster: string, service: string, values: Partial<{ desiredCount: number; runningCount: number; cpu: number; memory: number }> = {}): void {
    this.services.set(`${cluster}/${service}`, { desiredCount: 2, runningCount: 2, cpu: 50, memory: 40, ...values });
  }

  targetProcess(ip: string, port: number): TargetProcess | undefined {
    return this.processes.get(`${ip}:${port}`);
  }

  serviceExists(cluster: string, service: string): boolean {
    return this.services.has(`${cluster}/${service}`);
  }

  setServiceDesiredCount(cluster: string, service: string, desiredCount: number): void {
    const entry = this.services.get(`${cluster}/${service}`);
    if (entry) entry.desiredCount = desiredCount;
  }

  serviceDesiredCount(cluster: string, service: string): number | undefined {
    return this.services.get(`${cluster}/${service}`)?.desiredCount;
  }

  serviceUtilization(cluster: string, service: string): { runningCount: number; cpu: number; memory: number } | undefined {
    const entry = this.services.get(`${cluster}/${service}`);
    return entry && { runningCount: entry.runningCount, cpu: entry.cpu, memory: entry.memory };
  }
}
