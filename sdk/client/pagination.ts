/**
 * The one paginator behind every `for await` list of the client (in the spirit of openai-node's
 * `core/pagination.ts`): a list is a function that fetches one page given the cursor of the page
 * before, and `paginate` walks it. Every page request of every list goes through here, and so do
 * the guards against a server whose list never ends: a cursor that comes back (A → B → A) is a
 * `PAGING_LOOP`, more than `maxPages` page requests a `PAGE_LIMIT_REACHED`, and an item is never
 * yielded twice, however often the server repeats it.
 */
import { InvalidOptionsError, UnexpectedResponseError } from '../errors.ts';

/** One page of a list: its items, and the cursor of the next page (undefined after the last). */
export interface Page<T, Cursor> {
  items: readonly T[];
  next: Cursor | undefined;
}

/** Fetches the page at `cursor`; undefined asks for the first page. */
export type PageFetcher<T, Cursor> = (cursor: Cursor | undefined) => Promise<Page<T, Cursor>>;

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /** The list, for errors: its method and path (`GET /receipts-bulk/`). */
  name: { method: string; path: string };
  /** Tells items apart: each is yielded once. */
  keyOf: (item: T) => string;
  /** The most page requests of one walk of the list, all passes together. */
  maxPages: number;
  /**
   * For lists that shrink while they are read — receipts acknowledged, MeMos completed — so that
   * later pages move forward and one pass would skip items: the list is walked again from its
   * first page until a pass finds nothing new.
   */
  repeatPasses?: boolean;
}

/** Every item of the list, page after page, each page fetched when the one before is used up. */
export async function* paginate<T, Cursor extends string | number>(
  fetchPage: PageFetcher<T, Cursor>,
  options: PaginateOptions<T>,
): AsyncGenerator<T> {
  const seen = new Set<string>();
  const budget = { pages: 0 };
  for (;;) {
    let found = false;
    for await (const item of walk(fetchPage, options, budget)) {
      const key = options.keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      found = true;
      yield item;
    }
    if (!found || options.repeatPasses !== true) return;
  }
}

/** One pass over the list. */
async function* walk<T, Cursor extends string | number>(
  fetchPage: PageFetcher<T, Cursor>,
  options: PaginateOptions<T>,
  budget: { pages: number },
): AsyncGenerator<T> {
  const cursors = new Set<Cursor>();
  let cursor: Cursor | undefined;
  do {
    if (budget.pages++ >= options.maxPages) {
      throw new UnexpectedResponseError(
        'PAGE_LIMIT_REACHED',
        `the list did not end within ${options.maxPages} pages (limits.maxPages)`,
        { requestId: undefined, ...options.name },
      );
    }
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.next;
    if (cursor !== undefined) {
      if (cursors.has(cursor)) {
        throw new UnexpectedResponseError(
          'PAGING_LOOP',
          'the list gave a next-page cursor it had given before: following it would never end',
          { requestId: undefined, ...options.name },
        );
      }
      cursors.add(cursor);
    }
  } while (cursor !== undefined);
}

/**
 * A list NgDP pages by number (`page` from 0, `size` → `totalPages`): it ends after an empty page
 * or page `totalPages - 1`. `totalPages` undefined: it ends at an empty page only.
 */
export function numberedPages<T>(
  fetch: (page: number) => Promise<{ items: readonly T[]; totalPages: number | undefined }>,
): PageFetcher<T, number> {
  return async (page = 0) => {
    const { items, totalPages } = await fetch(page);
    const last = items.length === 0 || (totalPages !== undefined && page + 1 >= totalPages);
    return { items, next: last ? undefined : page + 1 };
  };
}

/** Options every list takes besides the request options. */
export interface ListOptions {
  /** Items per request (default 100, at most 1000). */
  pageSize?: number;
  /** The most page requests of one walk of the list (default: the client's `limits.maxPages`). */
  maxPages?: number;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1_000;

/**
 * A list's page size and page bound, checked.
 *
 * @throws InvalidOptionsError naming `caller` for a page size that is not an integer from 1 to 1000,
 *   or a page bound that is not a positive integer.
 */
export function listSettings(
  options: ListOptions,
  defaultMaxPages: number,
  caller: string,
): { size: number; maxPages: number } {
  const { pageSize: size = DEFAULT_PAGE_SIZE, maxPages = defaultMaxPages } = options;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)
    throw new InvalidOptionsError(
      `${caller}: pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(size)}`,
    );
  if (!Number.isSafeInteger(maxPages) || maxPages < 1)
    throw new InvalidOptionsError(`${caller}: maxPages must be a positive integer, got ${String(maxPages)}`);
  return { size, maxPages };
}
