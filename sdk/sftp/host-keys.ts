/**
 * Which SFTP server to trust: the host key check of `SftpSender`. SSH proves a server only by its host
 * key, so a client that accepts any key uploads letters to whoever answers at the address. The check
 * is chosen explicitly — a pinned fingerprint, a function, an OpenSSH `known_hosts` file, or
 * `insecureHostKey: true` — and decided once the server presents its key, before logging in.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import { InvalidOptionsError } from '../errors.ts';
import type { HostKeyVerifier, SftpSenderOptions } from './types.ts';

/** How the server's host key is checked, from the options. */
export type HostKeyCheck =
  | { kind: 'pinned'; fingerprint: string }
  | { kind: 'verifier'; verify: HostKeyVerifier }
  | { kind: 'known-hosts'; file: string }
  | { kind: 'insecure' };

/** What became of the presented key. */
export type HostKeyVerdict =
  | { trusted: true }
  /** `unknown`: nothing says which key the server has; `mismatch`: another key is expected. */
  | { trusted: false; why: 'unknown' | 'mismatch'; detail: string };

/** The OpenSSH fingerprint (`SHA256:<base64, unpadded>`) of a key in SSH wire format. */
export function fingerprintOf(key: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

/** Whether `value` looks like an OpenSSH SHA-256 fingerprint. */
export function isFingerprint(value: string): boolean {
  return FINGERPRINT.test(value);
}

const sameFingerprint = (a: string, b: string): boolean => a.replace(/=+$/, '') === b.replace(/=+$/, '');

const HOW_TO_CHOOSE =
  "hostKey: 'SHA256:…' (the server's fingerprint: the simulator gives it as sftp.hostKeyFingerprint; " +
  'for another server ask its operator, or run ssh-keyscan -p PORT HOST | ssh-keygen -lf - where you trust the network), ' +
  'knownHosts: a file in OpenSSH known_hosts format, or insecureHostKey: true (any server is trusted: local tests only)';

/**
 * The host key check the options ask for.
 *
 * @throws InvalidOptionsError when none is chosen, more than one is, or one is malformed.
 */
export function hostKeyCheckOf(options: SftpSenderOptions): HostKeyCheck {
  const { hostKey, knownHosts, insecureHostKey } = options;
  if (insecureHostKey !== undefined && typeof insecureHostKey !== 'boolean')
    throw new InvalidOptionsError('SftpSender: insecureHostKey must be a boolean');
  if (
    hostKey !== undefined &&
    typeof hostKey !== 'function' &&
    !(typeof hostKey === 'string' && isFingerprint(hostKey))
  )
    throw new InvalidOptionsError(
      'SftpSender: hostKey must be an OpenSSH SHA-256 fingerprint ("SHA256:" and 43 base64 characters, as ssh-keygen -l prints it) or a function',
    );
  if (knownHosts !== undefined && (typeof knownHosts !== 'string' || knownHosts === ''))
    throw new InvalidOptionsError('SftpSender: knownHosts must be the path of a known_hosts file');
  const chosen = [
    hostKey === undefined ? [] : ['hostKey'],
    knownHosts === undefined ? [] : ['knownHosts'],
    insecureHostKey === true ? ['insecureHostKey'] : [],
  ].flat();
  if (chosen.length > 1)
    throw new InvalidOptionsError(
      `SftpSender: give one of hostKey, knownHosts and insecureHostKey, not ${chosen.join(' and ')}`,
    );
  if (typeof hostKey === 'string') return { kind: 'pinned', fingerprint: hostKey };
  if (typeof hostKey === 'function') return { kind: 'verifier', verify: hostKey };
  if (knownHosts !== undefined) return { kind: 'known-hosts', file: knownHosts };
  if (insecureHostKey === true) return { kind: 'insecure' };
  throw new InvalidOptionsError(
    `SftpSender: the server's host key must be checked, or anyone in the network path can pose as the server and receive the letters. Give ${HOW_TO_CHOOSE}`,
  );
}

/** One usable line of a known_hosts file. */
interface KnownHost {
  line: number;
  marker: 'revoked' | undefined;
  patterns: string[];
  keyType: string;
  key: Buffer;
}

/** A known_hosts file, read. `problem` says why nothing could be read from it. */
export interface KnownHosts {
  file: string;
  entries: KnownHost[];
  problem?: string;
}

/**
 * Reads a known_hosts file (OpenSSH's format: `[@revoked] patterns key-type base64-key [comment]`,
 * hashed `|1|salt|hash` names, `*`/`?` wildcards, `!` negation, `[host]:port`). Lines it cannot use —
 * malformed ones, and `@cert-authority` lines, since certificates are not supported — are left out.
 * A file that cannot be read gives no entries and its `problem`: every server is then unknown.
 */
export async function readKnownHosts(file: string): Promise<KnownHosts> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return { file, entries: [], problem: `cannot read ${file}: ${code}` };
  }
  const entries: KnownHost[] = [];
  for (const [index, raw] of text.split('\n').entries()) {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let marker: KnownHost['marker'];
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') continue;
      marker = 'revoked';
      fields.shift();
    }
    const [hosts, keyType, base64] = fields;
    if (hosts === undefined || keyType === undefined || base64 === undefined) continue;
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) continue;
    entries.push({
      line: index + 1,
      marker,
      patterns: hosts.split(','),
      keyType,
      key: Buffer.from(base64, 'base64'),
    });
  }
  return { file, entries };
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` on another. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Whether an OpenSSH wildcard pattern (`*`, `?`) matches the whole name, case-insensitively. */
function wildcardMatches(pattern: string, name: string): boolean {
  const source = [...pattern.toLowerCase()]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

/** Whether one pattern of a known_hosts line (plain, wildcard or hashed) names the host. */
function patternMatches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('|1|')) return wildcardMatches(pattern, name);
  const [, , salt, hash] = pattern.split('|');
  if (salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Whether a line names the host: a pattern matches it and no negated (`!`) pattern does. */
function namesHost(entry: KnownHost, name: string): boolean {
  let matched = false;
  for (const pattern of entry.patterns) {
    if (pattern.startsWith('!')) {
      if (patternMatches(pattern.slice(1), name)) return false;
    } else if (patternMatches(pattern, name)) matched = true;
  }
  return matched;
}

/** The key types known_hosts holds for the host (not revoked), in file order. */
export function knownKeyTypes(known: KnownHosts, name: string): string[] {
  const types = known.entries
    .filter((entry) => entry.marker === undefined && namesHost(entry, name))
    .map((entry) => entry.keyType);
  return [...new Set(types)];
}

/** Whether known_hosts trusts `key` for the host named `name`. */
export function knownHostsVerdict(known: KnownHosts, name: string, key: Buffer): HostKeyVerdict {
  const revoked = known.entries.find(
    (entry) => entry.marker === 'revoked' && entry.key.equals(key) && namesHost(entry, name),
  );
  if (revoked !== undefined)
    return {
      trusted: false,
      why: 'mismatch',
      detail: `${known.file} line ${revoked.line} marks it @revoked`,
    };
  const forHost = known.entries.filter((entry) => entry.marker === undefined && namesHost(entry, name));
  if (forHost.some((entry) => entry.key.equals(key))) return { trusted: true };
  if (forHost.length > 0)
    return {
      trusted: false,
      why: 'mismatch',
      detail: `${known.file} holds another key for ${name} (line ${forHost.map((entry) => entry.line).join(', ')})`,
    };
  return {
    trusted: false,
    why: 'unknown',
    detail: known.problem ?? `${known.file} has no key for ${name}`,
  };
}

/** The verdict of a check other than known_hosts (which needs the file read first). */
export function directVerdict(
  check: Exclude<HostKeyCheck, { kind: 'known-hosts' }>,
  fingerprint: string,
  key: Buffer,
): HostKeyVerdict {
  switch (check.kind) {
    case 'insecure':
      return { trusted: true };
    case 'pinned':
      return sameFingerprint(check.fingerprint, fingerprint)
        ? { trusted: true }
        : { trusted: false, why: 'mismatch', detail: `not the pinned ${check.fingerprint}` };
    case 'verifier': {
      let accepted: unknown;
      try {
        accepted = check.verify(fingerprint, key);
      } catch (error) {
        return {
          trusted: false,
          why: 'mismatch',
          detail: `the hostKey function threw: ${error instanceof Error ? error.message : String(error)}`,
        };
      }
      return accepted === true
        ? { trusted: true }
        : { trusted: false, why: 'mismatch', detail: 'the hostKey function refused it' };
    }
  }
}

/** ssh2's host key algorithms for a key type of known_hosts. */
const ALGORITHMS_OF: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};
/** ssh2 1.17's default order of host key algorithms. */
const DEFAULT_ALGORITHMS: ServerHostKeyAlgorithm[] = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * The host key algorithms to offer, those of the known key types first (as OpenSSH does): a server
 * with several host keys then presents the one known_hosts holds. Undefined: ssh2's default.
 */
export function preferredAlgorithms(keyTypes: readonly string[]): ServerHostKeyAlgorithm[] | undefined {
  const preferred = keyTypes.flatMap((type) => ALGORITHMS_OF[type] ?? []);
  if (preferred.length === 0) return undefined;
  return [...new Set([...preferred, ...DEFAULT_ALGORITHMS])];
}
