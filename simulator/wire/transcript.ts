/** The transcript's JSON (`GET /simulator/v1/transcript`, not part of NgDP): times as ISO strings. */
import type { TranscriptEntry } from '../engine/transcript.ts';

export type TranscriptEntryJson = Omit<TranscriptEntry, 'at' | 'wallAt'> & { at: string; wallAt: string };

export function transcriptEntryJson(entry: TranscriptEntry): TranscriptEntryJson {
  return {
    seq: entry.seq,
    at: new Date(entry.at).toISOString(),
    wallAt: new Date(entry.wallAt).toISOString(),
    direction: entry.direction,
    channel: entry.channel,
    systemId: entry.systemId,
    operation: entry.operation,
    method: entry.method,
    path: entry.path,
    status: entry.status,
    durationMs: entry.durationMs,
    messageUUID: entry.messageUUID,
    bodyBytes: entry.bodyBytes,
    bodySha256: entry.bodySha256,
    code: entry.code,
    fault: entry.fault,
    credentials: entry.credentials,
  };
}
