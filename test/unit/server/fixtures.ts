import type { StatusSnapshot } from '../../../src/controller/status.js';

export const snapshot: StatusSnapshot = {
  revision: '9f1c2e7',
  loadedAt: '2026-01-01T10:00:00.000Z',
  manifestErrors: [
    { file: 'services/cart.yaml', line: 12, col: 5, message: 'cpu 300 is not a valid Fargate size', path: 'spec.taskDefinition.cpu', hint: 'use 256, 512, 1024' },
  ],
  services: [
    {
      key: 'prod/checkout',
      cluster: 'prod',
      service: 'checkout',
      strategy: 'Canary',
      syncStatus: 'OutOfSync',
      healthStatus: 'Progressing',
      message: 'rolling out 1.4.2',
      lastSyncAt: '2026-01-01T09:59:00.000Z',
      rollout: {
        phase: 'Paused',
        step: 1,
        totalSteps: 5,
        canaryWeight: 10,
        message: 'paused until promote',
        analysis: [{ template: 'error-rate', status: 'Running' }],
      },
    },
    { key: 'prod/billing', cluster: 'prod', service: 'billing', strategy: 'Rolling', syncStatus: 'Synced', healthStatus: 'Healthy' },
  ],
};
