import { describe, expect, it } from 'vitest';
import type { StatusSnapshot } from '../../../src/controller/status.js';
import type { Diagnostic } from '../../../src/manifest/index.js';
import { escapeHtml, renderStatusPage } from '../../../src/server/page.js';
import { snapshot } from './fixtures.js';

const render = (s: StatusSnapshot) => renderStatusPage(s, { refreshSeconds: 3 });

describe('renderStatusPage', () => {
  it('lists every service, sorted, with sync, health and rollout progress', () => {
    const html = render(snapshot);
    expect(html.indexOf('billing')).toBeLessThan(html.indexOf('checkout'));
    expect(html).toContain('<span class="badge warn">OutOfSync</span>');
    expect(html).toContain('<span class="badge good">Healthy</span>');
    expect(html).toContain('step 2/5');
    expect(html).toMatch(/<a href="rollouts\/prod\/checkout">Paused<\/a>/);
    expect(html).toContain('<progress max="100" value="10">10%</progress>');
    expect(html).toContain('analysis error-rate: Running');
    expect(html).toContain('paused until promote');
    expect(html).toContain('2 services, 1 synced, 1 healthy');
  });

  it('shows the revision and the manifest errors as file:line:col', () => {
    const html = render(snapshot);
    expect(html).toContain('revision <code>9f1c2e7</code>');
    expect(html).toContain('Manifest errors (1)');
    expect(html).toContain('services/cart.yaml:12:5: spec.taskDefinition.cpu: cpu 300 is not a valid Fargate size (use 256, 512, 1024)');
  });

  it("shows the manifest loader's diagnostics as they are", () => {
    const diagnostic: Diagnostic = { file: 'a.yaml', line: 3, col: 7, severity: 'error', code: 'unknown-field', path: '', message: 'unknown field "spce"' };
    const html = render({ ...snapshot, manifestErrors: [diagnostic] });
    expect(html).toContain('a.yaml:3:7: unknown field &quot;spce&quot;');
  });

  it('reloads itself, loads nothing, and links only to its own rollout pages', () => {
    const html = render(snapshot);
    expect(html).toContain('<meta http-equiv="refresh" content="3">');
    expect(html).not.toMatch(/<script|<link|src=/i);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((link) => link[1])).toEqual(['rollouts/prod/checkout']);
  });

  it('escapes every text it shows', () => {
    const evil = '<script>alert("x")</script>';
    const html = render({
      revision: evil,
      manifestErrors: [{ file: evil, line: 1, col: 1, message: evil, path: evil, hint: evil }],
      services: [
        {
          ...snapshot.services[1]!,
          key: evil,
          cluster: evil,
          service: evil,
          message: evil,
          lastSyncAt: evil,
          rollout: { phase: evil, message: evil, analysis: [{ template: evil, status: 'Failed' }] },
        },
      ],
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
  });

  it('says so when nothing is loaded yet or there are no services', () => {
    const html = render({ manifestErrors: [], services: [] });
    expect(html).toContain('desired state not loaded yet');
    expect(html).toContain('No services in the desired state.');
    expect(html).not.toContain('Manifest errors');
  });

  it('escapes the five HTML special characters', () => {
    expect(escapeHtml(`a&b<c>d"e'f`)).toBe('a&amp;b&lt;c&gt;d&quot;e&#39;f');
  });
});
