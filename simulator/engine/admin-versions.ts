/**
 * Versions of the administration's resources (admin.md §0.2; docs/admin.md, "Versions"): a change
 * names the version it read in `If-Match`; another version is a conflict, and where NgDP's OpenAPI
 * requires the header, a change without it is refused (unless the settings say otherwise).
 */
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

/** What `If-Match` said for a change: the version (NaN: unreadable), and whether it must be given. */
export interface VersionCheck {
  version: number | undefined;
  /** The header as sent, for the refusal of one that cannot be read. */
  header?: string | undefined;
  /** Whether the operation's OpenAPI declares `If-Match` required. */
  required: boolean;
}

/**
 * Checks a change against the resource's `current` version.
 *
 * @throws Rejection 400 REQUIRED (no If-Match where required) or INVALID_FORMAT; 409
 *   VERSION_CONFLICT naming `what`.
 */
export function expectVersion(
  context: EngineContext,
  what: string,
  current: number,
  check: VersionCheck,
): void {
  if (check.version === undefined) {
    if (check.required && context.settings.admin.ifMatchRequired) throw reject.ifMatchRequired();
    return;
  }
  if (Number.isNaN(check.version)) throw reject.ifMatchInvalid(String(check.header));
  if (check.version !== current) throw reject.versionConflict(what, current, check.version);
}
