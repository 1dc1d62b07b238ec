/** One page of a list, as the use cases answer it; the adapters put it in NgDP's frames. */
export interface Page<T> {
  items: T[];
  /** Zero-based page number. */
  page: number;
  /** The page size used (with chaos, maybe smaller than the one asked for). */
  size: number;
  total: number;
}

/** Which page of which size: zero-based `page`, `size` ≥ 1. */
export interface PageRequest {
  page: number;
  size: number;
}

/** The page `request` asks for of `items`, the whole list being in memory. */
export function pageOf<T>(items: readonly T[], request: PageRequest): Page<T> {
  const start = request.page * request.size;
  return {
    items: items.slice(start, start + request.size),
    page: request.page,
    size: request.size,
    total: items.length,
  };
}
