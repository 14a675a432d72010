import { describe, expect, it } from 'vitest';
import { diffValues, renderJson, renderText } from '../../../src/diff/index.js';
import type { FieldChange } from '../../../src/diff/index.js';

const lines = (...text: string[]) => text.join('\n');

describe('renderText', () => {
  it.each<[string, FieldChange[], string]>([
    ['a changed scalar: one line per side', [{ path: ['desiredCount'], kind: 'changed', desired: 3, observed: 2 }], lines('- desiredCount: 2', '+ desiredCount: 3')],
    [
      'strings as JSON, so "300" and 300 differ visibly',
      [{ path: ['attributes', 'deregistration_delay.timeout_seconds'], kind: 'changed', desired: '30', observed: 300 }],
      lines('- attributes."deregistration_delay.timeout_seconds": 300', '+ attributes."deregistration_delay.timeout_seconds": "30"'),
    ],
    ['an added scalar', [{ path: ['tags', 'team'], kind: 'added', desired: 'x' }], '+ tags.team: "x"'],
    ['a removed scalar', [{ path: ['platformVersion'], kind: 'removed', observed: 'LATEST' }], '- platformVersion: "LATEST"'],
    ['empty containers stay inline', [{ path: ['a'], kind: 'changed', desired: [], observed: {} }], lines('- a: {}', '+ a: []')],
    [
      'an added object: one line per field, nested by indentation',
      [{ path: ['service'], kind: 'added', desired: { launchType: 'FARGATE', deploymentController: { type: 'ECS' }, desiredCount: 2 } }],
      lines('+ service:', '+   launchType: "FARGATE"', '+   deploymentController:', '+     type: "ECS"', '+   desiredCount: 2'),
    ],
    [
      'lists of scalars and of objects, YAML style',
      [
        {
          path: ['taskDefinition'],
          kind: 'added',
          desired: { requiresCompatibilities: ['FARGATE'], containerDefinitions: [{ name: 'app', portMappings: [{ containerPort: 8080, protocol: 'tcp' }] }] },
        },
      ],
      lines(
        '+ taskDefinition:',
        '+   requiresCompatibilities:',
        '+     - "FARGATE"',
        '+   containerDefinitions:',
        '+     - name: "app"',
        '+       portMappings:',
        '+         - containerPort: 8080',
        '+           protocol: "tcp"',
      ),
    ],
    ['a list inside a list', [{ path: ['m'], kind: 'added', desired: [[1, 2], 3] }], lines('+ m:', '+   - - 1', '+     - 2', '+   - 3')],
    [
      'a removed list element, with its index on the observed side',
      [{ path: ['containerDefinitions', 1], kind: 'removed', observed: { name: 'old', image: 'x:9' } }],
      lines('- containerDefinitions[1]:', '-   name: "old"', '-   image: "x:9"'),
    ],
    [
      'a type change shows both sides in full',
      [{ path: ['command'], kind: 'changed', desired: ['sh', '-c'], observed: 'sh -c' }],
      lines('- command: "sh -c"', '+ command:', '+   - "sh"', '+   - "-c"'),
    ],
    [
      'keys that need quoting are quoted',
      [{ path: ['dockerLabels'], kind: 'added', desired: { 'com.example/team': 'a', 'has space': 'b', '': 'c' } }],
      lines('+ dockerLabels:', '+   com.example/team: "a"', '+   "has space": "b"', '+   "": "c"'),
    ],
    ['a change at the root', [{ path: [], kind: 'added', desired: null }], '+ (root): null'],
  ])('%s', (_case, changes, expected) => {
    expect(renderText(changes)).toBe(expected);
  });

  it('titles the listing and renders what diffValues finds, - observed then + desired', () => {
    const changes = diffValues({ containerDefinitions: [{ name: 'app', image: 'a:2' }], tags: { team: 'x' } }, { containerDefinitions: [{ name: 'app', image: 'a:1' }], desiredCount: 3 });
    expect(renderText(changes, { title: 'prod/web' })).toBe(
      lines('@@ prod/web @@', '- containerDefinitions[0].image: "a:1"', '+ containerDefinitions[0].image: "a:2"', '- desiredCount: 3', '+ tags:', '+   team: "x"'),
    );
  });

  it('colours every line of a block only when asked', () => {
    const changes: FieldChange[] = [{ path: ['tags'], kind: 'changed', desired: { team: 'x' }, observed: 1 }];
    expect(renderText(changes, { title: 't' })).not.toContain('\u001b[');
    expect(renderText(changes, { color: true, title: 't' }).split('\n')).toEqual([
      '\u001b[36m@@ t @@\u001b[0m',
      '\u001b[31m- tags: 1\u001b[0m',
      '\u001b[32m+ tags:\u001b[0m',
      '\u001b[32m+   team: "x"\u001b[0m',
    ]);
  });
});

describe('renderJson', () => {
  it('keeps whole values, the path as an array and its text form', () => {
    const desired = { launchType: 'FARGATE', loadBalancers: [{ containerName: 'app', containerPort: 8080 }] };
    expect(JSON.parse(renderJson([{ path: ['service'], kind: 'added', desired }]))).toEqual([{ path: ['service'], field: 'service', kind: 'added', desired }]);
    expect(JSON.parse(renderJson([{ path: ['containerDefinitions', 0, 'image'], kind: 'changed', desired: 'a:2', observed: 'a:1' }]))[0]).toEqual({
      path: ['containerDefinitions', 0, 'image'],
      field: 'containerDefinitions[0].image',
      kind: 'changed',
      desired: 'a:2',
      observed: 'a:1',
    });
  });
});
