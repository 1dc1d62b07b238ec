/**
 * MeMos parsed at intake, kept until processing so that a message is parsed once; after a restart
 * (or past the cache's size) a stored MeMo is parsed again from its bytes.
 */
import { readMemo } from '../../sdk/memo/reader.ts';
import type { Memo, MemoIssue } from '../../sdk/memo/types.ts';
import type { Store } from '../store/store.ts';

/** A parsed MeMo, with the structural problems the lenient reader found. */
export interface ParsedMemo {
  memo: Memo;
  structuralIssues: MemoIssue[];
}

const LIMIT = 5_000;

/**
 * Reads a MeMo leniently.
 *
 * @throws MemoParseError when it is not a MeMo document at all.
 */
export function parseMemo(xml: Uint8Array): ParsedMemo {
  const { memo, issues } = readMemo(xml);
  return { memo, structuralIssues: issues };
}

export class MemoCache {
  private readonly parsed = new Map<string, ParsedMemo>();
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  remember(messageUUID: string, parsed: ParsedMemo): void {
    if (this.parsed.size >= LIMIT) {
      const oldest = this.parsed.keys().next().value;
      if (oldest !== undefined) this.parsed.delete(oldest);
    }
    this.parsed.set(messageUUID, parsed);
  }

  /** The parsed MeMo of a stored message (taken out of the cache), or undefined when unreadable. */
  take(messageUUID: string): ParsedMemo | undefined {
    const cached = this.peek(messageUUID);
    this.parsed.delete(messageUUID);
    return cached;
  }

  /** The parsed MeMo of a stored message, left in the cache. */
  peek(messageUUID: string): ParsedMemo | undefined {
    const cached = this.parsed.get(messageUUID);
    if (cached !== undefined) return cached;
    const xml = this.store.getMessageXml(messageUUID);
    if (xml === undefined) return undefined;
    try {
      return parseMemo(xml);
    } catch {
      // Not only MemoParseError: a MeMo that cannot be read for any reason is rejected, not retried.
      return undefined;
    }
  }

  clear(): void {
    this.parsed.clear();
  }
}
