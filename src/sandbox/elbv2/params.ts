import type { AwsError } from '../core/errors.js';

/**
 * Reads one operation's decoded input. awsQuery delivers every scalar as a string and awsJson as typed JSON,
 * so numbers, booleans and timestamps are accepted in either form. Bad input becomes the service's own
 * validation error (`ValidationError` for ELBv2, `InvalidParameterValue` for CloudWatch, ...).
 */
export class ParamReader {
  constructor(
    private readonly input: Record<string, unknown>,
    private readonly invalid: (message: string) => AwsError,
  ) {}

  static of(input: unknown, invalid: (message: string) => AwsError): ParamReader {
    return new ParamReader(isRecord(input) ? input : {}, invalid);
  }

  has(name: string): boolean {
    return this.input[name] !== undefined && this.input[name] !== null;
  }

  raw(name: string): unknown {
    return this.input[name];
  }

  optString(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    throw this.invalid(`${name} must be a string`);
  }

  string(name: string): string {
    const value = this.optString(name);
    if (value === undefined || value === '') throw this.invalid(`${name} is required`);
    return value;
  }

  optNumber(name: string): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null || value === '') return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
    if (!Number.isFinite(parsed)) throw this.invalid(`${name} must be a number, got '${String(value)}'`);
    return parsed;
  }

  number(name: string): number {
    const value = this.optNumber(name);
    if (value === undefined) throw this.invalid(`${name} is required`);
    return value;
  }

  optInt(name: string, min: number, max: number): number | undefined {
    const value = this.optNumber(name);
    if (value === undefined) return undefined;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw this.invalid(`${name} must be an integer between ${min} and ${max}, got ${value}`);
    }
    return value;
  }

  optBoolean(name: string): boolean | undefined {
    const value = this.input[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw this.invalid(`${name} must be true or false, got '${String(value)}'`);
  }

  /** awsJson sends epoch seconds, awsQuery ISO-8601 text. */
  optTimestamp(name: string): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null || value === '') return undefined;
    if (value instanceof Date) return value.getTime();
    if (typeof value === 'number') return value * 1000;
    if (typeof value === 'string') {
      const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
      if (Number.isFinite(ms)) return ms;
    }
    throw this.invalid(`${name} must be a timestamp, got '${String(value)}'`);
  }

  timestamp(name: string): number {
    const value = this.optTimestamp(name);
    if (value === undefined) throw this.invalid(`${name} is required`);
    return value;
  }

  optList(name: string): unknown[] | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    throw this.invalid(`${name} must be a list`);
  }

  stringList(name: string): string[] | undefined {
    return this.optList(name)?.map((item, i) => {
      if (typeof item !== 'string') throw this.invalid(`${name}[${i + 1}] must be a string`);
      return item;
    });
  }

  /** Each list item as its own reader, for lists of structures. */
  structList(name: string): ParamReader[] | undefined {
    return this.optList(name)?.map((item, i) => {
      if (!isRecord(item)) throw this.invalid(`${name}[${i + 1}] must be a structure`);
      return new ParamReader(item, this.invalid);
    });
  }

  optStruct(name: string): ParamReader | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!isRecord(value)) throw this.invalid(`${name} must be a structure`);
    return new ParamReader(value, this.invalid);
  }

  /** `[{Key, Value}]` pairs (tags, attributes) as an ordered map. */
  keyValues(name: string): Map<string, string> | undefined {
    const items = this.structList(name);
    if (items === undefined) return undefined;
    const pairs = new Map<string, string>();
    for (const item of items) pairs.set(item.string('Key'), item.optString('Value') ?? '');
    return pairs;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
