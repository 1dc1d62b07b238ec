/**
 * Versions of NgDP's versioned resources — the administration's (admin.md §0.2; docs/admin.md,
 * "Versions") and the subscriptions: a change names the version it read in `If-Match`; another
 * version is a conflict, and where NgDP's OpenAPI requires the header, a change without it is
 * refused (unless the settings say otherwise).
 */
import { ifMatchAccepts, ifMatchNamesVersions } from '../domain/versions.ts';
import type { EngineContext } from './context.ts';
import { reject } from './rejections.ts';

/** What `If-Match` said for a change, and whether it must be given. */
export interface VersionCheck {
  /** The header as sent; undefined without one. */
  header: string | undefined;
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
  const { header } = check;
  if (header === undefined || header.trim() === '') {
    if (check.required && context.settings.admin.ifMatchRequired) throw reject.ifMatchRequired();
    return;
  }
  if (!ifMatchNamesVersions(header)) throw reject.ifMatchInvalid(header);
  if (!ifMatchAccepts(header, current)) throw reject.versionConflict(what, current, header);
}
