/**
 * NgDP's list frames and cursors: `PagingResultUUID` (`GET /memos/`, `GET /receipts/`), the
 * `currentPage/next/totalPages/elementsOnPage/totalElements` frame of searches, and the `next`
 * cursors. Contacts use NgDP's own search-after cursor; elsewhere NgDP's cursor format is unknown
 * and ours is base64 of `page:<n>:<size>` (docs/differences.md).
 */
import type { QueryPage } from '../domain/query.ts';
import type { Page } from '../engine/paging.ts';
import { reject } from '../engine/rejections.ts';

/** NgDP's `PagingResultUUID`. */
export function pagingResultJson(page: Page<string>) {
  const totalPages = Math.ceil(page.total / page.size);
  const ordering = [{ property: 'createdDate', direction: 'ASC' }];
  return {
    content: page.items,
    number: page.page,
    size: page.size,
    // The schema makes both objects: there is no previous (next) page, the field is left out.
    ...(page.page > 0 ? { previous: { page: page.page - 1, size: page.size, ordering } } : {}),
    ...(page.page + 1 < totalPages ? { next: { page: page.page + 1, size: page.size, ordering } } : {}),
    totalElements: page.total,
    totalPages,
  };
}

/** The frame of NgDP's search results around `items` (e.g. `{ events: [...] }`). */
export function searchFrameJson<T>(page: Page<T>, items: Record<string, unknown>) {
  const totalPages = Math.max(1, Math.ceil(page.total / page.size));
  return {
    currentPage: page.page,
    ...(page.page + 1 < totalPages ? { next: pageCursor(page.page + 1, page.size) } : {}),
    totalPages,
    elementsOnPage:
      page.page * page.size < page.total ? Math.min(page.size, page.total - page.page * page.size) : 0,
    totalElements: page.total,
    ...items,
  };
}

/** The search frame around a page of the query language, its items under `key` (`contactPoints`). */
export function queryFrameJson(page: QueryPage, key: string) {
  return searchFrameJson({ ...page, total: page.totalElements }, { [key]: page.items });
}

function pageCursor(page: number, size: number): string {
  return Buffer.from(`page:${page}:${size}`).toString('base64');
}

/** The largest zero-based `page` a list takes. */
export const MAX_PAGE = 1_000_000;
/** The largest page `size`. */
export const MAX_PAGE_SIZE = 1000;

/**
 * The page a `next` cursor of {@link searchFrameJson} names. A cursor is the caller's text: one
 * naming a page or size this API would not take as `page`/`size` (`page:0:0`, a size of 1e20) is
 * refused like any other it never returned.
 */
export function readPageCursor(cursor: string): { page: number; size: number } {
  const match = /^page:(\d{1,7}):(\d{1,4})$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  const page = Number(match?.[1]);
  const size = Number(match?.[2]);
  if (match === null || page > MAX_PAGE || size < 1 || size > MAX_PAGE_SIZE)
    throw reject.invalidParameter('next', 'is not a cursor this API returned', cursor);
  return { page, size };
}

/** Where a contact search stands: after this contact in NgDP's order (lastUpdated, transactionId). */
export interface ContactPosition {
  lastUpdated: number;
  transactionId: string;
}

/** NgDP's contact cursor: base64 of `[ <lastUpdated epoch-ms>, "<transactionId>" ]` of the page's last contact. */
export function contactCursor(position: ContactPosition): string {
  return Buffer.from(`[ ${position.lastUpdated}, "${position.transactionId}" ]`).toString('base64');
}

export function readContactCursor(cursor: string): ContactPosition {
  const match = /^\[ (\d{1,16}), "([^"]{0,100})" \]$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (match === null || !Number.isSafeInteger(Number(match[1])))
    throw reject.invalidParameter('next', 'is not a cursor this API returned', cursor);
  return { lastUpdated: Number(match[1]), transactionId: match[2] as string };
}
