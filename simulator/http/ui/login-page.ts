/**
 * The simulator's stand-in for NgDP's login page (`GET oauth/authorize`): a test employee's username
 * and password, posted back to the same URL (its query included), which answers with the code.
 */
import { escapeHtml } from './status-page.ts';

/** The page for a client asking for access; only its id, escaped, is written into it. */
export function loginPage(clientId: string): string {
  return `<!doctype html>
<html lang="da"><head><meta charset="utf-8"><title>Log ind – digitalpost simulator</title></head>
<body><main>
<h1>Log ind som testmedarbejder</h1>
<p>${escapeHtml(clientId)} beder om adgang til Administrativ Adgang.</p>
<form method="post">
<label>Brugernavn <input name="username" autocomplete="username" required></label>
<label>Adgangskode <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log ind</button>
</form>
</main></body></html>
`;
}
