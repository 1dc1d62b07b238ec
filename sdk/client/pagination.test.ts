import { describe, expect, it } from 'vitest';
import { numberedPages, type Page, type PaginateOptions, paginate } from './pagination.ts';

/** The options of a list of strings that nothing repeats. */
const LIST: PaginateOptions<string> = {
  name: { method: 'GET', path: '/things/' },
  keyOf: (id) => id,
  maxPages: 1_000,
};

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

/** A list of `items` in pages of `size`, as NgDP pages by number; `requests` records each page asked. */
function listOf(items: string[], size: number) {
  const requests: number[] = [];
  const pages = numberedPages(async (page) => {
    requests.push(page);
    return {
      items: items.slice(page * size, (page + 1) * size),
      totalPages: Math.ceil(items.length / size),
    };
  });
  return { requests, pages };
}

describe('paginate', () => {
  it('yields every item of every page, in order, following the cursors', async () => {
    const pages: Record<string, Page<number, string>> = {
      first: { items: [1, 2], next: 'b' },
      b: { items: [3], next: 'c' },
      c: { items: [4], next: undefined },
    };
    const asked: Array<string | undefined> = [];
    const items = await all(
      paginate<number, string>(
        async (cursor) => {
          asked.push(cursor);
          return pages[cursor ?? 'first'] as Page<number, string>;
        },
        { ...LIST, keyOf: String },
      ),
    );
    expect(items).toEqual([1, 2, 3, 4]);
    expect(asked).toEqual([undefined, 'b', 'c']);
  });

  it('asks for a page only when the items before it are used up', async () => {
    const { requests, pages } = listOf(['a', 'b', 'c', 'd', 'e'], 2);
    for await (const item of paginate(pages, LIST)) {
      if (item === 'c') break;
    }
    expect(requests).toEqual([0, 1]);
  });

  it('with repeatPasses, walks the list again while a pass finds something new, yielding each item once', async () => {
    const waiting = ['a', 'b', 'c', 'd', 'e'];
    const { requests, pages } = listOf(waiting, 2);
    const seen: string[] = [];
    for await (const item of paginate(pages, { ...LIST, repeatPasses: true })) {
      seen.push(item);
      waiting.splice(waiting.indexOf(item), 1);
    }
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(requests.filter((page) => page === 0).length).toBeGreaterThan(1);
  });

  it('with repeatPasses, ends after a pass that finds nothing new', async () => {
    const { requests, pages } = listOf(['a', 'b', 'c'], 2);
    expect(await all(paginate(pages, { ...LIST, repeatPasses: true }))).toEqual(['a', 'b', 'c']);
    expect(requests).toEqual([0, 1, 0, 1]);
  });
});

describe('numberedPages', () => {
  it('ends after page totalPages - 1', async () => {
    const { requests, pages } = listOf(['a', 'b', 'c', 'd'], 2);
    expect(await all(paginate(pages, LIST))).toEqual(['a', 'b', 'c', 'd']);
    expect(requests).toEqual([0, 1]);
  });

  it('ends at an empty page, whatever totalPages says', async () => {
    const pages = numberedPages(async (page) => ({ items: page === 0 ? ['a'] : [], totalPages: 5 }));
    expect(await all(paginate(pages, LIST))).toEqual(['a']);
  });

  it('without totalPages, goes on until an empty page', async () => {
    const items = ['a', 'b', 'c'];
    const pages = numberedPages(async (page) => ({
      items: items.slice(page, page + 1),
      totalPages: undefined,
    }));
    expect(await all(paginate(pages, LIST))).toEqual(['a', 'b', 'c']);
  });
});
