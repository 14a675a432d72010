import type { HealthStatus, ManifestProblem, RolloutSummary, ServiceSummary, StatusSnapshot, SyncStatus } from '../controller/status.js';

export interface PageOptions {
  /** The page reloads itself this often. */
  refreshSeconds: number;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] as string);
}

const SYNC_TONE: Record<SyncStatus, Tone> = { Synced: 'good', OutOfSync: 'warn', Conflict: 'bad', Error: 'bad', Unknown: 'muted' };
const HEALTH_TONE: Record<HealthStatus, Tone> = { Healthy: 'good', Progressing: 'warn', Degraded: 'bad', Missing: 'bad', Unknown: 'muted' };
type Tone = 'good' | 'warn' | 'bad' | 'muted';

// Inline and self-contained: the page loads no external asset, and the server's CSP allows nothing else.
const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1f2328;background:#fff}
h1{font-size:1.3rem;margin:0 0 .25rem}h2{font-size:1.05rem;margin:1.5rem 0 .5rem}
.meta{color:#59636e;margin:0}code{font:12px ui-monospace,monospace}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid #d1d9e0;vertical-align:top}
th{font-weight:600;background:#f6f8fa}
.badge{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:12px;font-weight:600}
.good{background:#dafbe1;color:#116329}.warn{background:#fff8c5;color:#7d4e00}.bad{background:#ffebe9;color:#a40e26}.muted{background:#eff2f5;color:#59636e}
.errors li{font-family:ui-monospace,monospace;font-size:12px;color:#a40e26}
progress{width:6rem;vertical-align:middle}.small{color:#59636e;font-size:12px}
`;

/** The read-only status page: every service's sync state, health and rollout progress, and the manifest errors. */
export function renderStatusPage(snapshot: StatusSnapshot, options: PageOptions): string {
  const services = [...snapshot.services].sort((a, b) => a.key.localeCompare(b.key));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="refresh" content="${Math.max(1, Math.round(options.refreshSeconds))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ecs-reconciler status</title>
<style>${STYLE}</style>
</head>
<body>
<h1>ecs-reconciler</h1>
<p class="meta">${renderRevision(snapshot)} &middot; ${escapeHtml(summarise(services))}</p>
${renderManifestErrors(snapshot.manifestErrors)}
<h2>Services</h2>
${services.length === 0 ? '<p class="meta">No services in the desired state.</p>' : renderServiceTable(services)}
</body>
</html>
`;
}

function renderRevision({ revision, loadedAt }: StatusSnapshot): string {
  if (revision === undefined) return 'desired state not loaded yet';
  const loaded = loadedAt === undefined ? '' : `, loaded ${escapeHtml(loadedAt)}`;
  return `revision <code>${escapeHtml(revision)}</code>${loaded}`;
}

function summarise(services: readonly ServiceSummary[]): string {
  const synced = services.filter((s) => s.syncStatus === 'Synced').length;
  const healthy = services.filter((s) => s.healthStatus === 'Healthy').length;
  return `${services.length} services, ${synced} synced, ${healthy} healthy`;
}

function renderManifestErrors(problems: readonly ManifestProblem[]): string {
  if (problems.length === 0) return '';
  const items = problems.map((p) => {
    const what = p.path ? `${p.path}: ${p.message}` : p.message;
    const hint = p.hint ? ` (${p.hint})` : '';
    return `<li>${escapeHtml(`${p.file}:${p.line}:${p.col}: ${what}${hint}`)}</li>`;
  });
  return `<h2>Manifest errors (${problems.length})</h2>\n<ul class="errors">\n${items.join('\n')}\n</ul>`;
}

function renderServiceTable(services: readonly ServiceSummary[]): string {
  const rows = services.map(
    (s) => `<tr>
<td><strong>${escapeHtml(s.service)}</strong><br><span class="small">${escapeHtml(s.cluster)}</span></td>
<td>${escapeHtml(s.strategy)}</td>
<td>${badge(s.syncStatus, SYNC_TONE[s.syncStatus])}</td>
<td>${badge(s.healthStatus, HEALTH_TONE[s.healthStatus])}</td>
<td>${s.rollout === undefined ? '<span class="small">-</span>' : renderRollout(s, s.rollout)}</td>
<td>${escapeHtml(s.message ?? '')}</td>
<td class="small">${escapeHtml(s.lastSyncAt ?? 'never')}</td>
</tr>`,
  );
  return `<table>
<thead><tr><th>Service</th><th>Strategy</th><th>Sync</th><th>Health</th><th>Rollout</th><th>Message</th><th>Last sync</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}

/** The summary, and a link to the whole view (steps, task sets, analysis) at `/rollouts/CLUSTER/SERVICE`. */
function renderRollout({ cluster, service }: ServiceSummary, rollout: RolloutSummary): string {
  const detail = `rollouts/${encodeURIComponent(cluster)}/${encodeURIComponent(service)}`;
  const parts = [`<a href="${escapeHtml(detail)}">${escapeHtml(rollout.phase)}</a>`];
  if (rollout.step !== undefined) {
    const total = rollout.totalSteps === undefined ? '' : `/${rollout.totalSteps}`;
    parts.push(`<span class="small">step ${rollout.step + 1}${total}</span>`);
  }
  if (rollout.canaryWeight !== undefined) {
    const weight = Math.min(100, Math.max(0, rollout.canaryWeight));
    parts.push(`<progress max="100" value="${weight}">${weight}%</progress> <span class="small">${weight}% new</span>`);
  }
  for (const run of rollout.analysis ?? []) {
    parts.push(`<span class="small">analysis ${escapeHtml(run.template)}: ${escapeHtml(run.status)}</span>`);
  }
  if (rollout.message !== undefined) parts.push(`<span class="small">${escapeHtml(rollout.message)}</span>`);
  return parts.join('<br>');
}

function badge(label: string, tone: Tone): string {
  return `<span class="badge ${tone}">${escapeHtml(label)}</span>`;
}
