/**
 * How an `If-Match` header names versions. NgDP declares `If-Match` on its changes without saying
 * how its ETags look (ngdp-openapi-1.68.md, "Optimistic locking"); the simulator's ETag is the
 * quoted version (`"3"`), and `If-Match` may name it quoted, weak or bare (`"3"`, `W/"3"`, `3`), in
 * a list, or as `*` (any version).
 */

/** The entity tags of an `If-Match` header, unquoted and without `W/`. */
function tagsOf(header: string): string[] {
  return header.split(',').map((tag) =>
    tag
      .trim()
      .replace(/^W\//, '')
      .replace(/^"(.*)"$/, '$1'),
  );
}

/** Whether every tag of `header` is a version number or `*`. */
export function ifMatchNamesVersions(header: string): boolean {
  return tagsOf(header).every((tag) => tag === '*' || /^\d{1,15}$/.test(tag));
}

/** Whether `header` names `version` (or `*`). */
export function ifMatchAccepts(header: string, version: number): boolean {
  return tagsOf(header).some((tag) => tag === '*' || tag === String(version));
}
