/**
 * A MeMo thread: reads MeMos and bulk containers for the pool (`pool.ts`), so that the main thread
 * keeps answering while a 100 MB MeMo is parsed or a container is decompressed. The work is
 * `domain/memo-digest.ts`'s, as on the main thread; only the digest and the bytes go back.
 *
 * A container is read one entry at a time against the main thread's memory budget: an entry larger
 * than {@link SMALL_ENTRY} is decoded only once the main thread has made room for it; smaller ones
 * are sent in batches and charged on arrival, with at most {@link LOOKAHEAD} bytes of them not yet
 * charged.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ContainerError } from '../../sdk/errors.ts';
import { readContainer } from '../../sdk/memo/container.ts';
import { digestMemo } from '../domain/memo-digest.ts';
import {
  type ContainerJobLimits,
  type FromThread,
  movable,
  type ThreadData,
  type ToThread,
  type WireEntry,
  type WireError,
} from './protocol.ts';

/** Entries up to this size are decoded without asking for room first. */
const SMALL_ENTRY = 256 * 1024;
/** At most this many bytes of small entries are decoded before the main thread has charged them. */
const LOOKAHEAD = 4 * 1024 * 1024;
/** Small entries go in batches of at most this many, or {@link BATCH_BYTES}. */
const BATCH_ENTRIES = 64;
const BATCH_BYTES = 1024 * 1024;

const port = parentPort;
if (port === null) throw new Error('memo-thread.ts runs as a worker thread of the MeMo pool');
const { rules } = workerData as ThreadData;

function post(message: FromThread, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

/** The reader of a container stopped: the job ends quietly. */
class Stopped extends Error {}

/** A container being read: what the main thread has answered, and the entries not sent yet. */
class ContainerJob {
  readonly job: number;
  stopped = false;
  /** Bytes of small entries decoded and not yet charged by the main thread. */
  private unacknowledged = 0;
  private waiting: (() => void) | undefined;
  private granted = false;
  private batch: WireEntry[] = [];
  private batchBytes = 0;

  constructor(job: number) {
    this.job = job;
  }

  answer(message: ToThread): void {
    if (message.type === 'stop') this.stopped = true;
    else if (message.type === 'granted') this.granted = true;
    else if (message.type === 'ack') this.unacknowledged -= message.bytes;
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  }

  private wait(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  /** Before an entry is decoded: room for it, asked for or within the lookahead. True: prepaid. */
  async makeRoom(size: number): Promise<boolean> {
    if (size > SMALL_ENTRY) {
      this.flush();
      this.granted = false;
      post({ type: 'reserve', job: this.job, bytes: size });
      while (!this.granted && !this.stopped) await this.wait();
      if (this.stopped) throw new Stopped();
      return true;
    }
    while (this.unacknowledged > 0 && this.unacknowledged + size > LOOKAHEAD && !this.stopped) {
      this.flush();
      await this.wait();
    }
    if (this.stopped) throw new Stopped();
    this.unacknowledged += size;
    return false;
  }

  add(entry: WireEntry): void {
    this.batch.push(entry);
    this.batchBytes += entry.xml.byteLength;
    if (entry.prepaid || this.batch.length >= BATCH_ENTRIES || this.batchBytes >= BATCH_BYTES) this.flush();
  }

  flush(): void {
    if (this.batch.length === 0 || this.stopped) return;
    const entries = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    post(
      { type: 'entries', job: this.job, entries },
      entries.map((entry) => entry.xml.buffer as ArrayBuffer),
    );
  }
}

const containers = new Map<number, ContainerJob>();

async function readContainerJob(
  job: number,
  container: Uint8Array,
  limits: ContainerJobLimits,
): Promise<void> {
  const state = new ContainerJob(job);
  containers.set(job, state);
  let prepaid = false;
  try {
    const entries = readContainer(container, {
      ...limits,
      beforeEntry: async ({ size }) => {
        prepaid = await state.makeRoom(size);
      },
    });
    for await (const { name, messageUUID, xml } of entries) {
      const bytes = movable(xml);
      state.add({ name, messageUUID, xml: bytes, prepaid, ...digestMemo(bytes, rules) });
      if (state.stopped) return;
    }
    state.flush();
    if (!state.stopped) post({ type: 'end', job });
  } catch (error) {
    if (!(error instanceof Stopped) && !state.stopped) post({ type: 'failed', job, error: wireError(error) });
  } finally {
    containers.delete(job);
  }
}

function wireError(error: unknown): WireError {
  if (error instanceof ContainerError) return { name: error.name, message: error.message, code: error.code };
  if (error instanceof Error) return { name: error.name, message: error.stack ?? error.message };
  return { name: 'Error', message: String(error) };
}

port.on('message', (message: ToThread) => {
  switch (message.type) {
    case 'read': {
      try {
        const reading = digestMemo(message.xml, rules);
        post({ type: 'read', job: message.job, xml: message.xml, reading }, [
          message.xml.buffer as ArrayBuffer,
        ]);
      } catch (error) {
        post({ type: 'failed', job: message.job, error: wireError(error) });
      }
      return;
    }
    case 'container':
      void readContainerJob(message.job, message.container, message.limits);
      return;
    default:
      containers.get(message.job)?.answer(message);
  }
});

post({ type: 'ready', job: 0 });
