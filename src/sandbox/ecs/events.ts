import { randomUUID } from 'node:crypto';
import type { ServiceRecord } from './model.js';

/** AWS keeps the latest 100 events per service. */
const MAX_EVENTS = 100;

export function addServiceEvent(service: ServiceRecord, now: number, message: string): void {
  service.events.unshift({ id: randomUUID(), createdAt: now, message: `(service ${service.name}) ${message}` });
  if (service.events.length > MAX_EVENTS) service.events.length = MAX_EVENTS;
}

/** ECS names tasks in events by their id: "(task 0c2f...)". */
export const taskList = (ids: string[]): string => ids.map((id) => `(task ${id})`).join(' ');
