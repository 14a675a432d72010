import { clusterNotFound } from './errors.js';
import { nameFromArnOrName } from './arns.js';
import type { ClusterRecord, ServiceRecord, TaskDefinitionRecord, TaskRecord } from './model.js';

/** ECS's state, indexed so every request and tick touches only what it needs. */
export class EcsStore {
  readonly clusters = new Map<string, ClusterRecord>();
  /** family -> revisions in order (index = revision - 1). */
  readonly families = new Map<string, TaskDefinitionRecord[]>();
  readonly taskDefinitionsByArn = new Map<string, TaskDefinitionRecord>();
  /** cluster name -> service name -> record (INACTIVE ones kept for a while, like AWS). */
  readonly services = new Map<string, Map<string, ServiceRecord>>();
  readonly servicesByArn = new Map<string, ServiceRecord>();
  readonly tasks = new Map<string, TaskRecord>();
  /** cluster name -> task ARNs. */
  readonly tasksByCluster = new Map<string, Set<string>>();
  /** service ARN -> task ARNs not yet STOPPED. */
  readonly liveTasksByService = new Map<string, Set<string>>();
  readonly tasksByIp = new Map<string, TaskRecord>();
  private ipCounter = 0x000a00;

  /** Private 10.x addresses, inside the sandbox's model only: nothing ever connects to them. */
  nextIp(): string {
    do this.ipCounter = (this.ipCounter + 1) % 0xffffff;
    while ((this.ipCounter & 0xff) === 0 || (this.ipCounter & 0xff) === 255 || this.tasksByIp.has(this.ipString()));
    return this.ipString();
  }

  private ipString(): string {
    const n = this.ipCounter;
    return `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;
  }

  /** An ACTIVE cluster by name or ARN; `default` when omitted, as ECS does. */
  cluster(nameOrArn: string | undefined): ClusterRecord {
    const cluster = this.clusters.get(nameFromArnOrName(nameOrArn ?? 'default'));
    if (!cluster || cluster.status !== 'ACTIVE') throw clusterNotFound();
    return cluster;
  }

  servicesOf(clusterName: string): Map<string, ServiceRecord> {
    let services = this.services.get(clusterName);
    if (!services) {
      services = new Map();
      this.services.set(clusterName, services);
    }
    return services;
  }

  addTask(task: TaskRecord, serviceArn: string | undefined): void {
    this.tasks.set(task.arn, task);
    setOf(this.tasksByCluster, task.clusterName).add(task.arn);
    if (serviceArn) setOf(this.liveTasksByService, serviceArn).add(task.arn);
    this.tasksByIp.set(task.ip, task);
  }

  /** Drops a STOPPED task from the live indexes; it stays describable until purged. */
  retireTask(task: TaskRecord, serviceArn: string | undefined): void {
    if (serviceArn) this.liveTasksByService.get(serviceArn)?.delete(task.arn);
    if (this.tasksByIp.get(task.ip) === task) this.tasksByIp.delete(task.ip);
  }

  purgeTask(task: TaskRecord): void {
    this.tasks.delete(task.arn);
    this.tasksByCluster.get(task.clusterName)?.delete(task.arn);
  }

  liveTasks(service: ServiceRecord): TaskRecord[] {
    const arns = this.liveTasksByService.get(service.arn);
    if (!arns) return [];
    const tasks: TaskRecord[] = [];
    for (const arn of arns) {
      const task = this.tasks.get(arn);
      if (task) tasks.push(task);
    }
    return tasks;
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
