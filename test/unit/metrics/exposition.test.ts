import { describe, expect, it } from 'vitest';
import { parseExposition, valueOf } from './exposition.js';

describe('the strict exposition parser used by the metrics tests', () => {
  it('reads families, escaped label values and histograms', () => {
    const families = parseExposition(
      [
        '# HELP x_total Things, with a \\\\ backslash.',
        '# TYPE x_total counter',
        'x_total{a="q\\"uo\\\\te\\nnl"} 3',
        '# HELP h_seconds Latency.',
        '# TYPE h_seconds histogram',
        'h_seconds_bucket{le="0.1"} 1',
        'h_seconds_bucket{le="+Inf"} 2',
        'h_seconds_sum 0.5',
        'h_seconds_count 2',
        '',
      ].join('\n'),
    );
    expect(families.get('x_total')?.help).toBe('Things, with a \\ backslash.');
    expect(valueOf(families, 'x_total', { a: 'q"uo\\te\nnl' })).toBe(3);
    expect(valueOf(families, 'h_seconds_count')).toBe(2);
  });

  it.each([
    ['a sample before its TYPE', 'x 1\n'],
    ['a bad metric name', '# TYPE 1x gauge\n1x 1\n'],
    ['a bad label name', '# TYPE x gauge\nx{a-b="1"} 1\n'],
    ['a bad escape', '# TYPE x gauge\nx{a="\\t"} 1\n'],
    ['a bad value', '# TYPE x gauge\nx 1,5\n'],
    ['a duplicate series', '# TYPE x gauge\nx{a="1"} 1\nx{a="1"} 2\n'],
    ['a negative counter', '# TYPE x_total counter\nx_total -1\n'],
    ['a missing final newline', '# TYPE x gauge\nx 1'],
    ['a split family', '# TYPE x gauge\nx 1\n# TYPE y gauge\ny 1\n# HELP x again\n'],
    ['non-cumulative buckets', '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
  ])('rejects %s', (_, text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});
