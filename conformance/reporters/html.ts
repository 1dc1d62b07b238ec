/**
 * The HTML report: one self-contained page (no external assets) with the run's summary, every check
 * with its status, and for each failure its reason and evidence as an expandable log of the
 * requests involved. A small inline script filters the list; without it the page reads the same.
 */
import type { CheckResult, CheckStatus, ConformanceReport, Evidence } from '../model.ts';
import { summaryLine } from './console.ts';
import { safeText } from './text.ts';

const escapeHtml = (text: string): string =>
  safeText(text).replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem;margin:0 0 .25rem}
.meta{color:#555;margin:0 0 1rem}
.summary{display:flex;gap:.5rem;flex-wrap:wrap;margin:0 0 1rem}
.summary span{padding:.2rem .6rem;border-radius:1rem;background:#eee}
.filters button{margin-right:.4rem}
table{border-collapse:collapse;width:100%}
td{border-top:1px solid #ddd;padding:.35rem .4rem;vertical-align:top}
.status{font-weight:600;white-space:nowrap}
.passed .status{color:#1a7f37}.failed .status{color:#cf222e}.xpassed .status{color:#cf222e}
.skipped .status,.xfailed .status{color:#6e7781}
.should .status::after{content:" (SHOULD)";font-weight:400}
code{font-family:ui-monospace,monospace;font-size:.92em}
.clause{color:#555;font-size:.9em}
details{margin-top:.3rem}
summary{cursor:pointer;color:#0969da}
ol.log{font-family:ui-monospace,monospace;font-size:.85em;margin:.3rem 0;padding-left:1.6rem}
ol.log li{padding:.1rem 0;white-space:pre-wrap;word-break:break-word}
.hidden{display:none}
`;

const SCRIPT = `
document.querySelectorAll('.filters button').forEach(function (button) {
  button.addEventListener('click', function () {
    var wanted = button.getAttribute('data-show');
    document.querySelectorAll('tr.check').forEach(function (row) {
      var show = wanted === 'all' || row.classList.contains('failed') || row.classList.contains('xpassed');
      row.classList.toggle('hidden', !show);
    });
  });
});
`;

const LABELS: Readonly<Record<CheckStatus, string>> = {
  passed: 'PASS',
  failed: 'FAIL',
  skipped: 'SKIP',
  xfailed: 'XFAIL',
  xpassed: 'XPASS',
};

function logEntry(entry: Evidence): string {
  const parts = [
    entry.at ?? '',
    entry.method === undefined ? '' : entry.method,
    entry.path ?? '',
    entry.status === undefined ? '' : `→ ${entry.status ?? 'no answer'}`,
    entry.messageUUID ?? '',
    entry.note ?? '',
  ].filter((part) => part !== '');
  return `<li>${escapeHtml(parts.join('  '))}</li>`;
}

function row(check: CheckResult): string {
  const failing = check.status === 'failed' || check.status === 'xpassed';
  const evidence =
    check.evidence.length === 0
      ? ''
      : `<details><summary>Evidence (${check.evidence.length})</summary><ol class="log">${check.evidence.map(logEntry).join('')}</ol></details>`;
  const classes = ['check', check.status, ...(check.level === 'SHOULD' ? ['should'] : [])].join(' ');
  return `<tr class="${classes}" id="${escapeHtml(check.id)}"><td class="status">${LABELS[check.status]}</td><td><code>${escapeHtml(check.id)}</code><br>${escapeHtml(check.title)}<div class="clause">${escapeHtml(check.clause)}</div>${failing || check.status === 'skipped' || check.status === 'xfailed' ? `<div class="message">${escapeHtml(check.message)}</div>` : ''}${evidence}</td></tr>`;
}

/** The HTML report of `report`: one page, no external assets. */
export function formatHtmlReport(report: ConformanceReport): string {
  const { summary } = report;
  const title = `digitalpost conformance — ${report.profile}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">digitalpost ${escapeHtml(report.version)} · seed ${report.seed} · chaos ${report.chaos ? 'on' : 'off'}${report.certify ? ' · certify' : ''} · started ${escapeHtml(report.startedAt)} · ${(report.durationMs / 1000).toFixed(1)} s</p>
<p class="summary" id="summary"><span>${summary.passed} passed</span><span>${summary.failed} failed</span><span>${summary.skipped} skipped</span><span>${summary.xfailed} xfailed</span><span>${summary.xpassed} xpassed</span></p>
<p>${escapeHtml(summaryLine(summary))}</p>
<p class="filters"><button type="button" data-show="all">All checks</button><button type="button" data-show="failing">Failures only</button></p>
<table>
<tbody>
${report.checks.map(row).join('\n')}
</tbody>
</table>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
