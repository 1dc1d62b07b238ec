/** Reading the SFTP transcript: paths as the server resolves them, renames, the requests that took uploads. */
import { describe, expect, it } from 'vitest';
import type { TranscriptEntry } from '../runner/transcript.ts';
import { isFinalUpload, renameOf, resolvedPath, takingsOf } from './sender-sftp.ts';

let seq = 0;
const entry = (operation: string, path: string, extra: Partial<TranscriptEntry> = {}): TranscriptEntry => ({
  seq: ++seq,
  at: '2026-12-07T10:00:00.000Z',
  wallAt: '2026-12-07T10:00:00.000Z',
  direction: 'in',
  channel: 'sftp',
  systemId: 'system',
  operation,
  method: null,
  path,
  status: 0,
  durationMs: 1,
  messageUUID: null,
  bodyBytes: null,
  bodySha256: null,
  code: null,
  fault: null,
  credentials: 'authorization',
  ...extra,
});

describe('the SFTP transcript, read', () => {
  it('resolves paths as the server does: from /, without ., .. or repeated slashes', () => {
    expect(resolvedPath('in//a.tar.lzma')).toBe('/in/a.tar.lzma');
    expect(resolvedPath('/in/./../in/a.part')).toBe('/in/a.part');
    expect(resolvedPath('/')).toBe('/');
  });

  it('tells final upload names in /in, whatever their case, from temporary ones and other folders', () => {
    expect(isFinalUpload('/in/batch.TAR.LZMA')).toBe(true);
    expect(isFinalUpload('/in/letter.xml')).toBe(true);
    expect(isFinalUpload('/in/batch.tar.lzma.part')).toBe(false);
    expect(isFinalUpload('/out/receipts/x.xml')).toBe(false);
  });

  it('splits a rename into from and to, resolved', () => {
    expect(renameOf(entry('SFTP RENAME', 'in/a.part -> /in/a.tar.lzma'))).toEqual({
      from: '/in/a.part',
      to: '/in/a.tar.lzma',
    });
    expect(renameOf(entry('SFTP OPEN', '/in/a.part'))).toBeUndefined();
  });

  it('counts as taken a rename to a final name answered OK or done with its answer lost, and a close under a final name', () => {
    const taken = [
      entry('SFTP RENAME', '/in/a.part -> /in/a.tar.lzma'),
      entry('SFTP RENAME', '/in/b.part -> /in/b.tar.lzma', { status: null, fault: 'drop-after' }),
      entry('SFTP CLOSE', '/in/c.xml'),
    ];
    const not = [
      entry('SFTP RENAME', '/in/d.part -> /in/d.tar.lzma', { status: 4, fault: 'status' }),
      entry('SFTP RENAME', '/in/e.part -> /in/e.tar.lzma', { status: null, fault: 'drop-before' }),
      entry('SFTP RENAME', '/in/f.tmp -> /in/f.part'),
      entry('SFTP CLOSE', '/in/g.part'),
    ];
    expect(takingsOf([...taken, ...not])).toEqual(taken);
  });
});
