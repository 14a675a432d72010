import { z } from 'zod';

/** How long the simulated task lifecycle takes, in simulated seconds. */
export const timingsSchema = z
  .object({
    /** PROVISIONING -> PENDING (ENI attachment, capacity). */
    provisioningSeconds: z.number().nonnegative().default(2),
    /** PENDING -> RUNNING (image pull, container start). */
    pendingSeconds: z.number().nonnegative().default(3),
    /** Stop requested -> STOPPED (DEPROVISIONING). */
    stoppingSeconds: z.number().nonnegative().default(2),
    /** How often ECS reads the load balancer's verdict on a running task. */
    healthPollSeconds: z.number().positive().default(5),
    /** How long a STOPPED task stays describable (AWS: about an hour). */
    stoppedTaskRetentionSeconds: z.number().nonnegative().default(3600),
  })
  .strict();

export type EcsTimings = z.output<typeof timingsSchema>;
