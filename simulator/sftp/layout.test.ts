/**
 * The SFTP home's rules without a server: resolving paths, what a path names, which upload names
 * are final, receipt file names, and upload buffers.
 */
import { describe, expect, it } from 'vitest';
import type { ReceiptRecord } from '../domain/model.ts';
import {
  homePath,
  homeSegments,
  placeOf,
  readReceiptFileName,
  receiptFileNames,
  uploadKind,
  uploadNameProblem,
} from './layout.ts';

const receipt = (id: string, messageUUID?: string): ReceiptRecord => ({
  id,
  systemId: 's',
  transmissionId: `t-${id}`,
  ...(messageUUID === undefined ? {} : { messageUUID }),
  timeStamp: 0,
  receiptStatus: 'COMPLETED',
});

describe('paths of the home', () => {
  it.each([
    ['', '/'],
    ['.', '/'],
    ['/', '/'],
    ['in', '/in'],
    ['/in/', '/in'],
    ['//in///x.xml', '/in/x.xml'],
    ['./in/./x.xml', '/in/x.xml'],
    ['/in/../out/receipts', '/out/receipts'],
    ['out/receipts/..', '/out'],
  ])('resolves %j to %s', (path, resolved) => {
    const segments = homeSegments(path);
    expect(segments && homePath(segments)).toBe(resolved);
  });

  it.each(['..', '/..', '../etc/passwd', '/in/../../x', 'out/../../in', 'in/../..'])(
    'finds that %j leaves the home',
    (path) => {
      expect(homeSegments(path)).toBeUndefined();
    },
  );

  it('names the directories, the files in them, and nothing else', () => {
    expect(placeOf([])).toEqual({ kind: 'directory', path: '/' });
    expect(placeOf(['out', 'errors'])).toEqual({ kind: 'directory', path: '/out/errors' });
    expect(placeOf(['in', 'a.xml'])).toEqual({ kind: 'upload', name: 'a.xml' });
    expect(placeOf(['out', 'receipts', 'r.json'])).toEqual({ kind: 'receipt', name: 'r.json' });
    expect(placeOf(['out', 'errors', 'a.xml.json'])).toEqual({ kind: 'error', name: 'a.xml.json' });
    for (const elsewhere of [['etc'], ['out', 'x'], ['in', 'sub', 'x.xml'], ['x.xml']])
      expect(placeOf(elsewhere)).toEqual({ kind: 'elsewhere' });
  });
});

describe('upload names', () => {
  it.each([
    ['batch.tar.lzma', 'container'],
    ['BATCH.TAR.LZMA', 'container'],
    ['letter.xml', 'memo'],
    ['batch.tar.lzma.part', undefined],
    ['letter.xml.tmp', undefined],
    ['.xml', undefined],
    ['batch.lzma', undefined],
  ])('takes %s as %s', (name, kind) => {
    expect(uploadKind(name)).toBe(kind);
  });

  it('refuses names with control characters or longer than 255 bytes', () => {
    expect(uploadNameProblem('a\nb.xml')).toMatch(/control characters/);
    expect(uploadNameProblem(`${'æ'.repeat(128)}.xml`)).toMatch(/255 bytes/);
    expect(uploadNameProblem('brev æøå.xml')).toBeUndefined();
  });
});

describe('receipt file names', () => {
  it('names the oldest receipt of a message <messageUUID>.json, later ones with their id, others by id', () => {
    const receipts = [receipt('r1', 'm1'), receipt('r2', 'm2'), receipt('r3', 'm1'), receipt('r4')];
    expect(receiptFileNames(receipts)).toEqual(['m1.json', 'm2.json', 'm1.r3.json', 'r4.json']);
  });

  it('reads both forms back, and nothing else', () => {
    expect(readReceiptFileName('m1.json')).toEqual({ first: 'm1' });
    expect(readReceiptFileName('m1.r3.json')).toEqual({ messageUUID: 'm1', id: 'r3' });
    for (const name of ['m1', 'm1.xml', '.json', 'a.b.c.json'])
      expect(readReceiptFileName(name)).toBeUndefined();
  });
});
