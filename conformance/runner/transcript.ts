/**
 * The simulator's transcript (`GET /simulator/v1/transcript`): every request a system made to
 * NgDP's API and every delivery NgDP made to a system, with its answer, timing and what the
 * simulator made of it. It is the suite's record of what the vendor's system did.
 */
import type { TranscriptEntry as SimulatorTranscriptEntry } from '../../simulator/index.ts';
import type { Evidence } from '../model.ts';
import type { ControlClient } from './control.ts';

/**
 * One request in or delivery out, as the simulator recorded it (`GET /simulator/v1/transcript`),
 * or as the proxy recorded it, which may also know the answer's `Retry-After`.
 */
export type TranscriptEntry = SimulatorTranscriptEntry & {
  /** The answer's `Retry-After`, when the recorder knew it (proxy mode); the simulator's is 1 s. */
  retryAfterMs?: number;
};

export interface TranscriptPage {
  entries: TranscriptEntry[];
  next: number;
}

/** Reads the transcript on from where it stopped (it is cleared on reset: call `restart`). */
export class TranscriptReader {
  private readonly control: ControlClient;
  private after = 0;

  constructor(control: ControlClient) {
    this.control = control;
  }

  /** The simulator was reset: read from the start again. */
  restart(): void {
    this.after = 0;
  }

  /** Every entry recorded since the last call. */
  async more(): Promise<TranscriptEntry[]> {
    const entries: TranscriptEntry[] = [];
    for (;;) {
      const page = await this.control.transcript(this.after);
      entries.push(...page.entries);
      const last = page.entries.at(-1)?.seq;
      const next = Math.max(this.after, page.next ?? 0, last ?? 0);
      if (page.entries.length === 0 || next === this.after) break;
      this.after = next;
    }
    return entries;
  }
}

/** The transcript of one scenario, read on as it grows; one read at a time. */
export class ScenarioTranscript {
  readonly entries: TranscriptEntry[] = [];
  private readonly reader: TranscriptReader;
  private reading: Promise<void> = Promise.resolve();

  constructor(reader: TranscriptReader) {
    this.reader = reader;
  }

  /** Reads on and resolves to every entry so far. */
  more(): Promise<readonly TranscriptEntry[]> {
    this.reading = this.reading.then(async () => {
      this.entries.push(...(await this.reader.more()));
    });
    return this.reading.then(() => this.entries);
  }
}

/** A transcript entry as report evidence. */
export function evidenceOf(entry: TranscriptEntry, note?: string): Evidence {
  return {
    at: entry.wallAt,
    method: entry.method ?? entry.operation.split(' ')[0] ?? '',
    path: entry.path,
    status: entry.status,
    messageUUID: entry.messageUUID,
    ...(note === undefined ? {} : { note }),
  };
}

/** The wall time of an entry, in ms. */
export const wallOf = (entry: TranscriptEntry): number => Date.parse(entry.wallAt);
