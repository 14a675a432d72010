import { z } from 'zod';
import { AwsError } from './errors.js';

/**
 * What a simulated app does, chosen per image (glob) or task definition family. Tests and demos stage a bad
 * release by giving its image a failing behaviour.
 */
export const behaviourSchema = z
  .object({
    /** Glob over the container image, `*` matching any run of characters: `*checkout:1.5*`. */
    image: z.string().min(1).optional(),
    /** Task definition family, exact. */
    family: z.string().min(1).optional(),
    /** False: the app never passes its load-balancer health check. */
    healthy: z.boolean().default(true),
    /** The essential container exits this soon after start (see `crashAfterSeconds`) with this code. */
    crashExitCode: z.number().int().min(0).max(255).optional(),
    /** Seconds the container runs before it crashes (with `crashExitCode`); 0 crashes before RUNNING. */
    crashAfterSeconds: z.number().nonnegative().default(0),
    /** The image cannot be pulled: tasks stop with CannotPullContainerError. */
    cannotPullImage: z.boolean().default(false),
    /** Share of requests answered with 5xx, 0..1. */
    errorRate: z.number().min(0).max(1).default(0),
    /** Mean response time in ms. */
    latencyMs: z.number().nonnegative().default(20),
    /** Seconds after RUNNING before the app answers health checks. */
    startupSeconds: z.number().nonnegative().default(0),
    /** Mean CPU and memory utilization, percent, for CloudWatch's AWS/ECS metrics. */
    cpuPercent: z.number().min(0).max(100).default(25),
    memoryPercent: z.number().min(0).max(100).default(40),
  })
  .strict()
  .refine((b) => b.image !== undefined || b.family !== undefined, { message: 'a behaviour needs `image` or `family`' });

export type AppBehaviour = z.output<typeof behaviourSchema>;

/**
 * What an ECS deployment lifecycle hook answers, chosen per hook target ARN (glob), since no Lambda runs in the
 * sandbox. Without a rule a hook succeeds at once.
 */
export const hookBehaviourSchema = z
  .object({
    hookTargetArn: z.string().min(1),
    /** The hook's final answer. */
    hookStatus: z.enum(['SUCCEEDED', 'FAILED']).default('SUCCEEDED'),
    /** Seconds the hook reports IN_PROGRESS before it answers. */
    hookInProgressSeconds: z.number().nonnegative().default(0),
  })
  .strict();

export type HookBehaviour = z.output<typeof hookBehaviourSchema>;
export type SandboxBehaviour = AppBehaviour | HookBehaviour;

const DEFAULT_HOOK_BEHAVIOUR: HookBehaviour = hookBehaviourSchema.parse({ hookTargetArn: '*' });

const DEFAULT_BEHAVIOUR: AppBehaviour = behaviourSchema.parse({ image: '*' });

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

interface Rule {
  behaviour: AppBehaviour;
  imagePattern?: RegExp;
}

/**
 * The behaviour rules. A family rule beats an image rule; among rules of one kind the latest added wins.
 * Setting a rule with the same selector replaces the old one.
 */
export class BehaviourBook {
  private rules: Rule[] = [];
  private hookRules: Array<{ behaviour: HookBehaviour; pattern: RegExp }> = [];

  /** App behaviours select by `image`/`family`; hook behaviours by `hookTargetArn`. */
  static parse(input: unknown): SandboxBehaviour[] {
    const list = Array.isArray(input) ? input : [input];
    const parsed = z.array(z.union([hookBehaviourSchema, behaviourSchema])).safeParse(list);
    if (!parsed.success) throw new AwsError('ValidationError', `invalid behaviour: ${z.prettifyError(parsed.error)}`, 400);
    return parsed.data;
  }

  set(behaviours: SandboxBehaviour[]): void {
    for (const behaviour of behaviours) {
      if ('hookTargetArn' in behaviour) {
        this.hookRules = this.hookRules.filter((r) => r.behaviour.hookTargetArn !== behaviour.hookTargetArn);
        this.hookRules.push({ behaviour, pattern: globToRegExp(behaviour.hookTargetArn) });
        continue;
      }
      this.rules = this.rules.filter((r) => r.behaviour.image !== behaviour.image || r.behaviour.family !== behaviour.family);
      this.rules.push({ behaviour, imagePattern: behaviour.image === undefined ? undefined : globToRegExp(behaviour.image) });
    }
  }

  clear(): void {
    this.rules = [];
    this.hookRules = [];
  }

  list(): SandboxBehaviour[] {
    return [...this.rules.map((r) => r.behaviour), ...this.hookRules.map((r) => r.behaviour)];
  }

  /** The latest hook rule whose glob matches the hook's target ARN. */
  hook(hookTargetArn: string): HookBehaviour {
    for (let i = this.hookRules.length - 1; i >= 0; i--) if (this.hookRules[i]!.pattern.test(hookTargetArn)) return this.hookRules[i]!.behaviour;
    return DEFAULT_HOOK_BEHAVIOUR;
  }

  resolve(family: string, image: string): AppBehaviour {
    let imageMatch: AppBehaviour | undefined;
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i]!;
      if (rule.behaviour.family !== undefined) {
        if (rule.behaviour.family === family && (rule.imagePattern === undefined || rule.imagePattern.test(image))) return rule.behaviour;
      } else if (!imageMatch && rule.imagePattern?.test(image)) {
        imageMatch = rule.behaviour;
      }
    }
    return imageMatch ?? DEFAULT_BEHAVIOUR;
  }
}
