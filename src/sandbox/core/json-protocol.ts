import { AwsError } from './errors.js';

/** awsJson1_0/1_1 carry timestamps as epoch seconds (fractional). Handlers return `Date`s. */
export function encodeJsonBody(value: unknown): string {
  return JSON.stringify(value ?? {}, function (this: Record<string, unknown>, key, encoded: unknown) {
    const raw = this[key];
    return raw instanceof Date ? raw.getTime() / 1000 : encoded;
  });
}

export function decodeJsonBody(body: string): unknown {
  if (body.trim() === '') return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Start of structure or map found where not expected.', 400);
  }
}

/** `AmazonEC2ContainerServiceV20141113.DescribeServices` -> prefix and operation. */
export function splitTarget(target: string): { prefix: string; operation: string } {
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) throw new AwsError('UnknownOperationException', `Invalid X-Amz-Target: ${target}`, 400);
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}

export function jsonErrorBody(error: AwsError): string {
  return JSON.stringify({ __type: error.code, message: error.message });
}
