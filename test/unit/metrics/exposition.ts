/**
 * A strict parser for the Prometheus text exposition format (version 0.0.4), for tests: it throws on anything a
 * scraper could reject or misread, with the offending line number.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Map<string, Family> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const seriesSeen = new Set<string>();
  let current: Family | undefined;

  text.split('\n').forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    if (line.startsWith('#')) {
      const match = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (match === null) return;
      const [, keyword, name = '', rest = ''] = match;
      if (!METRIC_NAME.test(name)) fail('invalid metric name');
      let family = families.get(name);
      if (family === undefined) {
        family = { name, type: 'untyped', help: '', samples: [] };
        families.set(name, family);
      } else if (family !== current) {
        fail('metadata for a family that is not contiguous');
      } else if (family.samples.length > 0) {
        fail('metadata after samples');
      }
      current = family;
      if (keyword === 'HELP') {
        if (family.help !== '') fail('second HELP');
        family.help = unescapeHelp(rest, fail);
      } else {
        if (!TYPES.has(rest as MetricType)) fail('unknown TYPE');
        family.type = rest as MetricType;
      }
      return;
    }

    const sample = parseSample(line, fail);
    if (current === undefined || !belongsTo(sample.name, current)) fail(`sample outside its family (${current?.name ?? 'none'})`);
    const family = current as Family;
    const identity = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seriesSeen.has(identity)) fail('duplicate series');
    seriesSeen.add(identity);
    family.samples.push(sample);
  });

  for (const family of families.values()) {
    if (family.type === 'histogram') checkHistogram(family);
    if (family.type === 'counter' && family.samples.some((s) => s.value < 0 || Number.isNaN(s.value))) {
      throw new Error(`${family.name}: counter with a negative or NaN value`);
    }
  }
  return families;
}

function belongsTo(sampleName: string, family: Family): boolean {
  if (sampleName === family.name) return family.type !== 'histogram';
  if (family.type === 'histogram') return ['_bucket', '_sum', '_count'].some((s) => sampleName === family.name + s);
  if (family.type === 'summary') return ['_sum', '_count'].some((s) => sampleName === family.name + s);
  return false;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (nameMatch === null) return fail('invalid metric name');
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([^=]*)="/.exec(rest);
      if (label === null) return fail('malformed label');
      const labelName = label[1] ?? '';
      if (!LABEL_NAME.test(labelName) || labelName.startsWith('__')) fail(`invalid label name ${labelName}`);
      if (labelName in labels) fail(`duplicate label ${labelName}`);
      rest = rest.slice(label[0].length);
      let value = '';
      for (;;) {
        const char = rest[0];
        if (char === undefined) fail('unterminated label value');
        if (char === '"') break;
        if (char === '\\') {
          const escaped = rest[1];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else fail('invalid escape in label value');
          rest = rest.slice(2);
        } else {
          value += char;
          rest = rest.slice(1);
        }
      }
      labels[labelName] = value;
      rest = rest.slice(1);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) fail('expected , or } after a label');
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)( -?\d+)?$/.exec(rest);
  if (valueMatch === null) return fail('expected " value [timestamp]"');
  return { name, labels, value: parseValue(valueMatch[1] ?? '', fail) };
}

/** Go's strconv.ParseFloat, which Prometheus uses: special values are case-insensitive (prom-client writes "Nan"). */
function parseValue(text: string, fail: (why: string) => never): number {
  if (/^\+?inf(inity)?$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf(inity)?$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail(`invalid value ${text}`);
  return Number(text);
}

function unescapeHelp(text: string, fail: (why: string) => never): string {
  return text.replace(/\\(.?)/g, (_, escaped: string) => {
    if (escaped === 'n') return '\n';
    if (escaped === '\\') return '\\';
    return fail('invalid escape in HELP');
  });
}

/** Buckets ascend by `le`, counts are cumulative, and the `+Inf` bucket equals `_count`, per label set. */
function checkHistogram(family: Family): void {
  const groups = new Map<string, { buckets: Sample[]; count?: number; sum?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const group = groups.get(JSON.stringify(Object.entries(rest).sort())) ?? { buckets: [] };
    groups.set(JSON.stringify(Object.entries(rest).sort()), group);
    if (sample.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      group.buckets.push(sample);
    } else if (sample.name.endsWith('_count')) group.count = sample.value;
    else group.sum = sample.value;
  }
  for (const [labels, { buckets, count, sum }] of groups) {
    const where = `${family.name}${labels}`;
    if (count === undefined || sum === undefined) throw new Error(`${where}: missing _count or _sum`);
    const bounds = buckets.map((b) => parseValue(b.labels.le ?? '', (why) => { throw new Error(`${where}: ${why}`); }));
    if (bounds.at(-1) !== Number.POSITIVE_INFINITY) throw new Error(`${where}: last bucket is not +Inf`);
    bounds.forEach((bound, i) => {
      if (i > 0 && !(bound > (bounds[i - 1] as number))) throw new Error(`${where}: le not ascending`);
      if (i > 0 && (buckets[i]?.value as number) < (buckets[i - 1]?.value as number)) throw new Error(`${where}: buckets not cumulative`);
    });
    if (buckets.at(-1)?.value !== count) throw new Error(`${where}: +Inf bucket differs from _count`);
  }
}

/** The value of one series, or undefined when it is not exported. */
export function valueOf(families: Map<string, Family>, sampleName: string, labels: Record<string, string> = {}): number | undefined {
  for (const family of families.values()) {
    const sample = family.samples.find((s) => s.name === sampleName && sameLabels(s.labels, labels));
    if (sample !== undefined) return sample.value;
  }
  return undefined;
}

/** Every series of a sample name, as label sets. */
export function seriesOf(families: Map<string, Family>, sampleName: string): Array<Record<string, string>> {
  return [...families.values()].flatMap((f) => f.samples.filter((s) => s.name === sampleName).map((s) => s.labels));
}

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}
