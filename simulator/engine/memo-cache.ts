/**
 * The digests of MeMos read at intake (`domain/memo-digest.ts`), kept until processing so that a
 * message is read once; after a restart (or past the cache's size) a stored MeMo is read again
 * from its bytes, through the MeMo work port.
 */
import type { MemoDigest } from '../domain/memo-digest.ts';
import type { Store } from '../store/store.ts';
import type { MemoWork } from './memo-work.ts';

const LIMIT = 5_000;

export class MemoCache {
  private readonly digests = new Map<string, MemoDigest>();
  private readonly store: Store;
  private readonly work: MemoWork;

  constructor(store: Store, work: MemoWork) {
    this.store = store;
    this.work = work;
  }

  remember(messageUUID: string, digest: MemoDigest): void {
    if (this.digests.size >= LIMIT) {
      const oldest = this.digests.keys().next().value;
      if (oldest !== undefined) this.digests.delete(oldest);
    }
    this.digests.set(messageUUID, digest);
  }

  has(messageUUID: string): boolean {
    return this.digests.has(messageUUID);
  }

  /** The digest of a message (taken out of the cache); undefined when it is not in the cache. */
  take(messageUUID: string): MemoDigest | undefined {
    const digest = this.digests.get(messageUUID);
    this.digests.delete(messageUUID);
    return digest;
  }

  /**
   * Reads a stored message's MeMo again into the cache. A MeMo that cannot be read for any reason
   * is left out, so that processing rejects it instead of trying again.
   */
  async load(messageUUID: string): Promise<void> {
    const stored = this.store.getMessageXml(messageUUID);
    if (stored === undefined) return;
    try {
      // A copy: the work may take the bytes to another thread, and these may be the store's own.
      const read = await this.work.read(new Uint8Array(stored));
      if ('digest' in read) this.remember(messageUUID, read.digest);
    } catch {
      // Left out, as an unreadable MeMo is.
    }
  }

  clear(): void {
    this.digests.clear();
  }
}
