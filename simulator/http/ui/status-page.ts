/** A plain HTML overview at `/`: where things are, the seeded systems and identities. */
import type { Fixtures } from '../../domain/seed.ts';
import type { Engine } from '../../engine/engine.ts';

/** Text as HTML shows it, for an element or a double-quoted attribute. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);

/**
 * The page. `showKeys` is false when the control API needs a token the request did not carry: the
 * keys are then only in the banner and in `GET /simulator/v1/fixtures` (with the token).
 */
export function statusPage(engine: Engine, fixtures: unknown, { showKeys }: { showKeys: boolean }): string {
  const { systems = [], citizens = [], companies = [], employees = [] } = fixtures as Partial<Fixtures>;
  const rows = (cells: string[][]) =>
    cells.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>digitalpost simulator</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}td,th{padding:.2rem .6rem;text-align:left;vertical-align:top}code{font-size:.85em}</style></head>
<body><h1>digitalpost simulator</h1>
<p>NgDP's integration API is at <code>/apis/v1</code>, the control API at <code>/simulator/v1</code>.
Clock: <code>${escapeHtml(new Date(engine.clock.now()).toISOString())}</code> (${engine.clock.mode}).</p>
<h2>Systems</h2>${showKeys ? '' : '<p>API keys are shown with the control token: in the banner, and from <code>GET /simulator/v1/fixtures</code>.</p>'}
<table><tr><th>name</th><th>id</th><th>roles</th><th>protocol</th>${showKeys ? '<th>API key</th>' : ''}</tr>
${rows(systems.map((s) => [s.name, s.id, s.roles.join(', '), s.protocol, ...(showKeys ? [s.apiKey] : [])]))}</table>
<h2>Citizens</h2><table><tr><th>CPR</th><th>name</th><th>status</th><th>mailbox</th></tr>
${citizens
  .map(
    (c) =>
      `<tr><td>${escapeHtml(c.cprNumber)}</td><td>${escapeHtml(c.name)}</td><td>${escapeHtml(`${c.publicRegistrationStatus} / ${c.registrationStatus}`)}</td><td><a href="/simulator/v1/mailboxes/${escapeHtml(c.cprNumber)}/messages">messages</a></td></tr>`,
  )
  .join('')}</table>
<h2>Companies</h2><table><tr><th>CVR</th><th>name</th><th>status</th></tr>
${rows(companies.map((c) => [c.cvrNumber, c.name, c.publicRegistrationStatus]))}</table>
<h2>Test employees</h2><p>Administrativ Adgang: log in with <code>POST /portal/v1/login</code>; every right in their organisation.</p>
<table><tr><th>username</th>${showKeys ? '<th>password</th>' : ''}<th>organisation</th></tr>
${rows(employees.map((e) => [e.username, ...(showKeys ? [e.password] : []), e.organisationId]))}</table>
</body></html>`;
}
