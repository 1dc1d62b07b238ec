/**
 * The one paginator behind every `for await` list of the client (in the spirit of openai-node's
 * `core/pagination.ts`): a list is a function that fetches one page given the cursor of the page
 * before, and `paginate` walks it. Every page request of every list goes through `walk` below, so a
 * bound on pages, when one is wanted, is added there once.
 */

/** One page of a list: its items, and the cursor of the next page (undefined after the last). */
export interface Page<T, Cursor> {
  items: readonly T[];
  next: Cursor | undefined;
}

/** Fetches the page at `cursor`; undefined asks for the first page. */
export type PageFetcher<T, Cursor> = (cursor: Cursor | undefined) => Promise<Page<T, Cursor>>;

/** Options of {@link paginate}. */
export interface PaginateOptions<T> {
  /**
   * For lists that shrink while they are read — receipts acknowledged, MeMos completed — so that
   * later pages move forward and one pass would skip items: the list is walked again from its
   * first page until a pass finds nothing new, and each item is yielded once, told apart by `keyOf`.
   */
  repeatPasses?: { keyOf: (item: T) => string };
}

/** Every item of the list, page after page, each page fetched when the one before is used up. */
export async function* paginate<T, Cursor>(
  fetchPage: PageFetcher<T, Cursor>,
  options: PaginateOptions<T> = {},
): AsyncGenerator<T> {
  const { repeatPasses } = options;
  if (repeatPasses === undefined) {
    yield* walk(fetchPage);
    return;
  }
  const seen = new Set<string>();
  for (;;) {
    let found = false;
    for await (const item of walk(fetchPage)) {
      const key = repeatPasses.keyOf(item);
      if (seen.has(key)) continue;
      seen.add(key);
      found = true;
      yield item;
    }
    if (!found) return;
  }
}

/** One pass over the list. */
async function* walk<T, Cursor>(fetchPage: PageFetcher<T, Cursor>): AsyncGenerator<T> {
  let cursor: Cursor | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.next;
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
