/**
 * Amazon SNS over awsQuery, as much as the controller's notifications need: topics (CreateTopic, seeded or created
 * at runtime) and Publish, whose messages are kept (the latest MAX_KEPT per topic) and shown in
 * `GET /_sandbox/state` under `sns`, so a test or a demo can read what was sent. Nothing is delivered anywhere.
 */
import { randomUUID } from 'node:crypto';
import { AwsError } from '../core/errors.js';
import type { Handlers, SandboxServiceFactory } from '../core/service.js';

export const SNS_VERSION = '2010-03-31';
export const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** Published messages kept per topic. */
const MAX_KEPT = 100;
/** SNS's limits: 256 KiB messages, 100-character subjects, topic names of 1-256 letters, digits, `-` and `_`. */
const MAX_MESSAGE_BYTES = 256 * 1024;
const MAX_SUBJECT = 100;
const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

export interface PublishedMessage {
  messageId: string;
  subject?: string;
  message: string;
  publishedAt: string;
}

const invalid = (message: string) => new AwsError('InvalidParameter', message);

export class SnsState {
  readonly topics = new Map<string, PublishedMessage[]>();

  constructor(private readonly scope: { region: string; accountId: string }) {}

  topicArn(name: string): string {
    return `arn:aws:sns:${this.scope.region}:${this.scope.accountId}:${name}`;
  }

  createTopic(name: unknown): string {
    if (typeof name !== 'string' || !TOPIC_NAME.test(name)) throw invalid('Invalid parameter: Topic Name');
    const arn = this.topicArn(name);
    if (!this.topics.has(arn)) this.topics.set(arn, []);
    return arn;
  }

  publish(input: { TopicArn?: unknown; Message?: unknown; Subject?: unknown }, now: number): string {
    const { TopicArn: arn, Message: message, Subject: subject } = input;
    if (typeof arn !== 'string' || arn === '') throw invalid('Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    const kept = this.topics.get(arn);
    if (!kept) throw new AwsError('NotFound', 'Topic does not exist', 404);
    if (typeof message !== 'string' || message === '') throw invalid('Invalid parameter: Empty message');
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) throw invalid('Invalid parameter: Message too long');
    if (subject !== undefined && (typeof subject !== 'string' || subject.length > MAX_SUBJECT || subject === '' || /[^\x20-\x7e]/.test(subject))) {
      throw invalid('Invalid parameter: Subject');
    }
    const messageId = randomUUID();
    kept.push({ messageId, ...(subject !== undefined ? { subject } : {}), message, publishedAt: new Date(now).toISOString() });
    if (kept.length > MAX_KEPT) kept.splice(0, kept.length - MAX_KEPT);
    return messageId;
  }

  snapshot(): unknown {
    return { topics: Object.fromEntries(this.topics) };
  }
}

function snsHandlers(state: SnsState): Handlers {
  return {
    CreateTopic: (input: { Name?: unknown }) => ({ TopicArn: state.createTopic(input.Name) }),
    Publish: (input: { TopicArn?: unknown; Message?: unknown; Subject?: unknown }, ctx) => ({ MessageId: state.publish(input, ctx.now) }),
  };
}

/** Seed section `sns: {topics: [name, ...]}`. */
function applySnsSeed(state: SnsState, section: unknown): void {
  const topics = (section as { topics?: unknown } | undefined)?.topics;
  if (topics === undefined) return;
  if (!Array.isArray(topics)) throw new Error('sns.topics must be a list of topic names');
  for (const name of topics) state.createTopic(name);
}

export const snsService: SandboxServiceFactory = (ctx) => {
  const state = new SnsState({ region: ctx.region, accountId: ctx.accountId });
  ctx.api.registerQueryService({ name: 'sns', signingName: 'sns', version: SNS_VERSION, xmlNamespace: SNS_XML_NAMESPACE, handlers: snsHandlers(state) });
  return { name: 'sns', applySeed: (section) => applySnsSeed(state, section), state: () => state.snapshot() };
};
