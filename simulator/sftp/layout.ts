/**
 * The chrooted home every SFTP user sees (docs/simulator.md, "SFTP mass sending"):
 *
 * ```
 * /in                 uploads; a file is taken when closed (or renamed) under a final name
 * /out/receipts       <messageUUID>.json: the system's available business receipts
 * /out/errors         <file>.json: why an uploaded file was not taken
 * ```
 *
 * Paths are resolved against the home without touching any real file system; nothing else exists.
 */
import type { ReceiptRecord } from '../domain/model.ts';

/** The home's directories. */
export type Directory = '/' | '/in' | '/out' | '/out/receipts' | '/out/errors';

/** What a path names. `elsewhere` is any path outside the layout (refused). */
export type Place =
  | { kind: 'directory'; path: Directory }
  | { kind: 'upload'; name: string }
  | { kind: 'receipt'; name: string }
  | { kind: 'error'; name: string }
  | { kind: 'elsewhere' };

/**
 * The segments of `path` below the home, `.` and `..` resolved, or undefined when the path leaves
 * the home. Relative paths start at the home (SFTP has no working directory on the server).
 */
export function homeSegments(path: string): string[] | undefined {
  const segments: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (segments.pop() === undefined) return undefined;
      continue;
    }
    segments.push(part);
  }
  return segments;
}

/** The absolute path, as the client sees it, of resolved segments. */
export function homePath(segments: readonly string[]): string {
  return `/${segments.join('/')}`;
}

const DIRECTORIES: ReadonlyMap<string, Directory> = new Map([
  ['', '/'],
  ['in', '/in'],
  ['out', '/out'],
  ['out/receipts', '/out/receipts'],
  ['out/errors', '/out/errors'],
]);

export function placeOf(segments: readonly string[]): Place {
  const directory = DIRECTORIES.get(segments.join('/'));
  if (directory !== undefined) return { kind: 'directory', path: directory };
  const name = segments.at(-1) as string;
  const parent = segments.slice(0, -1).join('/');
  if (parent === 'in') return { kind: 'upload', name };
  if (parent === 'out/receipts') return { kind: 'receipt', name };
  if (parent === 'out/errors') return { kind: 'error', name };
  return { kind: 'elsewhere' };
}

/** The entries of a directory that holds directories only. */
export const SUBDIRECTORIES: Partial<Record<Directory, string[]>> = {
  '/': ['in', 'out'],
  '/out': ['receipts', 'errors'],
};

/** Why `name` cannot be a file in `/in`, or undefined when it can. */
export function uploadNameProblem(name: string): string | undefined {
  if (Buffer.byteLength(name) > 255) return 'the file name is longer than 255 bytes';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'the file name contains control characters';
  return undefined;
}

/** What an upload under this name is taken as, or undefined while the name is not final. */
export function uploadKind(name: string): 'container' | 'memo' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.tar.lzma') && lower.length > '.tar.lzma'.length) return 'container';
  if (lower.endsWith('.xml') && lower.length > '.xml'.length) return 'memo';
  return undefined;
}

/** The error file of an upload that was not taken. */
export const errorFileName = (uploadName: string): string => `${uploadName}.json`;

/** The upload an error file is about, or undefined when `name` cannot be an error file. */
export function uploadOfErrorFile(name: string): string | undefined {
  return name.endsWith('.json') && name.length > '.json'.length ? name.slice(0, -'.json'.length) : undefined;
}

/**
 * The file names of a system's available receipts (given oldest first): `<messageUUID>.json` for
 * the oldest receipt of each message, `<messageUUID>.<receipt id>.json` for any later one (e.g.
 * an INVALID `DUPLICATE_MESSAGE_UUID` receipt), and `<receipt id>.json` for a receipt without a
 * messageUUID.
 */
export function receiptFileNames(receipts: readonly ReceiptRecord[]): string[] {
  const named = new Set<string>();
  return receipts.map((receipt) => {
    if (receipt.messageUUID === undefined) return `${receipt.id}.json`;
    if (named.has(receipt.messageUUID)) return `${receipt.messageUUID}.${receipt.id}.json`;
    named.add(receipt.messageUUID);
    return `${receipt.messageUUID}.json`;
  });
}

/** What a receipt file name says: `<first>.json`, or `<messageUUID>.<receipt id>.json`. */
export function readReceiptFileName(
  name: string,
): { first: string } | { messageUUID: string; id: string } | undefined {
  const match = /^([^.]+)(?:\.([^.]+))?\.json$/.exec(name);
  const [, first, id] = match ?? [];
  if (first === undefined) return undefined;
  return id === undefined ? { first } : { messageUUID: first, id };
}
