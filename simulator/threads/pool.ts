/**
 * The MeMo work on worker threads: a small pool (one thread per CPU by default, started when first
 * needed) reads large MeMos and every bulk container, so that the main thread — HTTP, SFTP, the
 * engine's transactions — keeps answering while a 100 MB MeMo is parsed or a container is
 * decompressed. Small MeMos, the common case, are read on the calling thread: handing one to a
 * thread and back costs about a third of reading it.
 *
 * A thread that dies (out of memory: each has a heap limit, so a MeMo that would need more cannot
 * take the process down) fails its job and is replaced by the next one. A thread that cannot even
 * start (its module is missing, as in a bundle that left `dist/memo-thread.js` behind) makes the
 * pool read everything on the calling thread from then on, and says so in the log.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ContainerError } from '../../sdk/errors.ts';
import type { ValidationRules } from '../domain/memo-digest.ts';
import {
  type ContainerReading,
  type EntryRead,
  InlineMemoWork,
  type MemoRead,
  type MemoWork,
} from '../engine/memo-work.ts';
import type { Hold } from '../engine/memory-budget.ts';
import { type FromThread, movable, type ThreadData, type ToThread, type WireError } from './protocol.ts';

export interface MemoThreadOptions {
  rules: ValidationRules;
  /** Threads at most (default: the number of CPUs). */
  threads?: number;
  /** MeMos smaller than this are read on the calling thread (default 64 KiB). */
  inlineBelow?: number;
  /** Heap limit of each thread, MiB (default 512): a MeMo that needs more is refused, the process lives. */
  heapLimitMb?: number;
  log?: (line: string) => void;
  /** The threads' module (default: `memo-thread` beside this one). */
  module?: URL;
}

const DEFAULT_INLINE_BELOW = 64 * 1024;
const DEFAULT_HEAP_LIMIT_MB = 512;

/** The thread's module: beside this one, as TypeScript in the sources and as JavaScript in `dist/`. */
function threadUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.ts') ? './memo-thread.ts' : './memo-thread.js', here);
}

interface Thread {
  worker: Worker;
  /** Its modules are loaded: it takes jobs (until then a job could not be handed back if it failed). */
  ready: boolean;
  /** The job it runs: one at a time, so that a thread that dies takes only that job with it. */
  job: JobState | undefined;
}

/**
 * What a job does with its thread's messages, how it learns its thread died, how it begins, and
 * how it is done on the calling thread instead when no thread can start.
 */
interface JobHandlers {
  listener: (message: FromThread) => void;
  lost: (error: Error) => void;
  begin: (job: Job) => void;
  inline: () => void;
}

interface JobState {
  id: number;
  thread: Thread | undefined;
  ended: boolean;
  listener: (message: FromThread) => void;
  lost: (error: Error) => void;
  begin: () => void;
  inline: () => void;
}

/** A job as its caller sees it. */
interface Job {
  id: number;
  /** Sends to the job's thread (nothing once the job has ended). */
  send(message: ToThread, transfer?: ArrayBuffer[]): void;
  /** The job is over: its thread takes the next one. */
  end(): void;
}

export class WorkerMemoWork implements MemoWork {
  private readonly inline: InlineMemoWork;
  private readonly size: number;
  private readonly inlineBelow: number;
  private readonly heapLimitMb: number;
  private readonly rules: ValidationRules;
  private readonly log: (line: string) => void;
  private readonly module: URL;
  private readonly threads: Thread[] = [];
  /** Jobs waiting for a thread, first come first served. */
  private readonly queue: JobState[] = [];
  private nextJob = 1;
  private closed = false;
  /** No thread could start: everything is read on the calling thread. */
  private unavailable = false;

  constructor(options: MemoThreadOptions) {
    this.rules = options.rules;
    this.inline = new InlineMemoWork(options.rules);
    this.size = Math.max(1, options.threads ?? availableParallelism());
    this.inlineBelow = options.inlineBelow ?? DEFAULT_INLINE_BELOW;
    this.heapLimitMb = options.heapLimitMb ?? DEFAULT_HEAP_LIMIT_MB;
    this.log = options.log ?? (() => {});
    this.module = options.module ?? threadUrl();
  }

  async read(xml: Uint8Array): Promise<MemoRead> {
    if (xml.byteLength < this.inlineBelow || this.closed || this.unavailable) return this.inline.read(xml);
    const bytes = movable(xml);
    return new Promise<MemoRead>((resolve, reject) => {
      this.start({
        begin: (job) => job.send({ type: 'read', job: job.id, xml: bytes }, [bytes.buffer]),
        inline: () => this.inline.read(bytes).then(resolve, reject),
        listener: (message) => {
          if (message.type === 'read') resolve({ xml: asBuffer(message.xml), ...message.reading });
          else if (message.type === 'failed') reject(errorOf(message.error));
        },
        // The bytes went down with the thread; an unreadable MeMo needs none.
        lost: (error) => resolve({ xml: new Uint8Array(0), unreadable: this.why(error) }),
      });
    });
  }

  async *readContainer(container: Uint8Array, { limits, hold }: ContainerReading): AsyncIterable<EntryRead> {
    if (this.closed || this.unavailable) {
      yield* this.inline.readContainer(container, { limits, hold });
      return;
    }
    const queue = new EntryQueue();
    const bytes = movable(container);
    const job = this.start({
      begin: (started) =>
        started.send(
          {
            type: 'container',
            job: started.id,
            container: bytes,
            limits: {
              maxEntries: limits.maxEntries,
              maxEntryBytes: limits.maxEntryBytes,
              maxTotalBytes: limits.maxTotalBytes,
            },
          },
          [bytes.buffer],
        ),
      inline: () =>
        void (async () => {
          for await (const entry of this.inline.readContainer(bytes, { limits, hold })) queue.push(entry);
          queue.end();
        })().catch((error: unknown) => queue.fail(error)),
      listener: (message) => this.onContainerMessage(message, job, queue, hold),
      lost: (error) =>
        queue.fail(new ContainerError('CONTAINER_TOO_LARGE', `the container ${this.why(error)}`)),
    });
    try {
      for (let entry = await queue.next(); entry !== undefined; entry = await queue.next()) yield entry;
    } finally {
      if (!queue.ended) job.send({ type: 'stop', job: job.id });
      job.end();
    }
  }

  /** Why a job's thread died, in the words of a refusal. */
  private why(error: Error): string {
    return (error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY'
      ? `cannot be read: it needs more memory than the ${this.heapLimitMb} MiB the simulator allows for reading one`
      : `cannot be read: the thread reading it failed (${error.message})`;
  }

  /** A thread's message about a container job: charge, acknowledge, queue. */
  private onContainerMessage(message: FromThread, job: Job, queue: EntryQueue, hold: Hold): void {
    try {
      switch (message.type) {
        case 'reserve':
          hold.grow(message.bytes);
          job.send({ type: 'granted', job: job.id });
          return;
        case 'entries': {
          let charged = 0;
          for (const entry of message.entries) if (!entry.prepaid) charged += entry.xml.byteLength;
          hold.grow(charged);
          if (charged > 0) job.send({ type: 'ack', job: job.id, bytes: charged });
          for (const { prepaid: _, ...entry } of message.entries)
            queue.push({ ...entry, xml: asBuffer(entry.xml) });
          return;
        }
        case 'end':
          queue.end();
          return;
        case 'failed':
          queue.fail(errorOf(message.error));
          return;
      }
    } catch (error) {
      // No room: the thread stops, the reader gets the refusal.
      job.send({ type: 'stop', job: job.id });
      queue.fail(error);
    }
  }

  /** Queues a job; it begins as soon as a thread is free (or one more may be started). */
  private start(handlers: JobHandlers): Job {
    const state: JobState = {
      id: this.nextJob++,
      thread: undefined,
      ended: false,
      // A reply that ends the job frees its thread; so does the thread's death.
      listener: (message) => {
        handlers.listener(message);
        if (message.type === 'read' || message.type === 'end' || message.type === 'failed') job.end();
      },
      lost: (error) => {
        handlers.lost(error);
        job.end();
      },
      begin: () => handlers.begin(job),
      inline: () => {
        handlers.inline();
        job.end();
      },
    };
    const job: Job = {
      id: state.id,
      send: (message, transfer = []) => {
        if (!state.ended) state.thread?.worker.postMessage(message, transfer);
      },
      end: () => {
        if (state.ended) return;
        state.ended = true;
        const index = this.queue.indexOf(state);
        if (index >= 0) this.queue.splice(index, 1);
        const { thread } = state;
        if (thread?.job === state) {
          thread.job = undefined;
          thread.worker.unref();
        }
        this.dispatch();
      },
    };
    this.queue.push(state);
    this.dispatch();
    return job;
  }

  /** Gives waiting jobs to free threads, starting threads up to the pool's size. */
  private dispatch(): void {
    while (this.queue.length > 0 && !this.closed) {
      if (this.unavailable) {
        (this.queue.shift() as JobState).inline();
        continue;
      }
      const thread = this.threads.find((candidate) => candidate.ready && candidate.job === undefined);
      if (thread === undefined) {
        // As many threads starting as jobs waiting, within the pool's size.
        const starting = this.threads.filter((candidate) => !candidate.ready).length;
        if (starting >= this.queue.length || this.threads.length >= this.size) return;
        this.spawn();
        continue;
      }
      const state = this.queue.shift() as JobState;
      thread.job = state;
      state.thread = thread;
      thread.worker.ref();
      state.begin();
    }
  }

  private spawn(): Thread {
    const data: ThreadData = { rules: this.rules };
    const worker = new Worker(this.module, {
      workerData: data,
      resourceLimits: { maxOldGenerationSizeMb: this.heapLimitMb },
    });
    const thread: Thread = { worker, ready: false, job: undefined };
    this.threads.push(thread);
    worker.on('message', (message: FromThread) => {
      if (message.type === 'ready') {
        thread.ready = true;
        this.dispatch();
        if (thread.job === undefined) worker.unref();
        return;
      }
      // A job that has ended (stopped) may still say something: its id is no longer the thread's.
      if (thread.job?.id === message.job) thread.job.listener(message);
    });
    const lost = (error: Error): void => {
      const index = this.threads.indexOf(thread);
      if (index < 0) return;
      this.threads.splice(index, 1);
      if (!thread.ready && !this.closed) {
        this.unavailable = true;
        this.log(
          `MeMo threads cannot start (${error.message}); reading MeMos and containers on the main thread`,
        );
      } else if (!this.closed) this.log(`a MeMo thread ended: ${error.message}`);
      const job = thread.job;
      thread.job = undefined;
      job?.lost(error);
      this.dispatch();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`it exited with code ${code}`)));
    // Held while it starts: a job waits for it (a thread is started only for one).
    return thread;
  }

  async close(): Promise<void> {
    this.closed = true;
    const waiting = this.queue.splice(0);
    const threads = this.threads.splice(0);
    for (const state of waiting) state.lost(new Error('the simulator stopped'));
    for (const thread of threads) thread.job?.lost(new Error('the simulator stopped'));
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}

/** The entries a thread sent and the reader has not taken yet, and how the job ended. */
class EntryQueue {
  private entries: EntryRead[] = [];
  /** The next entry to take: taking does not shift the array (a container may queue thousands). */
  private head = 0;
  private waiting: (() => void) | undefined;
  private failure: { error: unknown } | undefined;
  ended = false;

  push(entry: EntryRead): void {
    this.entries.push(entry);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.ended = true;
    this.wake();
  }

  /** The next entry; undefined at the end. */
  async next(): Promise<EntryRead | undefined> {
    for (;;) {
      const entry = this.entries[this.head];
      if (entry !== undefined) {
        this.entries[this.head++] = undefined as never;
        if (this.head === this.entries.length) {
          this.entries = [];
          this.head = 0;
        }
        return entry;
      }
      if (this.failure !== undefined) throw this.failure.error;
      if (this.ended) return undefined;
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }

  private wake(): void {
    const wake = this.waiting;
    this.waiting = undefined;
    wake?.();
  }
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A job's failure as an error of this thread: a ContainerError again, or an internal error. */
function errorOf(error: WireError): Error {
  if (error.name === 'ContainerError' && error.code !== undefined)
    return new ContainerError(error.code as ContainerError['code'], error.message);
  const internal = new Error(`a MeMo thread failed: ${error.message}`);
  internal.name = error.name;
  return internal;
}
