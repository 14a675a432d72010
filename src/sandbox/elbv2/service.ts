import type { SandboxServiceFactory } from '../core/service.js';
import { elbv2Handlers } from './handlers.js';
import { applyElbv2Seed } from './seed.js';
import { Elbv2State } from './state.js';

export const ELBV2_VERSION = '2015-12-01';
export const ELBV2_XML_NAMESPACE = 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/';

/** Elastic Load Balancing v2 over awsQuery; publishes itself as the account's `Elbv2View`. */
export const elbv2Service: SandboxServiceFactory = (ctx) => {
  const state = new Elbv2State({ region: ctx.region, accountId: ctx.accountId, clock: ctx.clock, ecs: () => ctx.views.ecs });
  ctx.views.elbv2 = state;
  ctx.api.registerQueryService({
    name: 'elbv2',
    signingName: 'elasticloadbalancing',
    version: ELBV2_VERSION,
    xmlNamespace: ELBV2_XML_NAMESPACE,
    handlers: elbv2Handlers(state, (createdAt) => !ctx.hiddenByConsistency(createdAt)),
  });
  return {
    name: 'elbv2',
    tick: (now) => state.tick(now),
    applySeed: (section) => applyElbv2Seed(state, section),
    state: () => state.snapshot(),
  };
};
