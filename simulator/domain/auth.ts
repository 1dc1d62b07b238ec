/**
 * Who is calling: API keys, SSH public keys, IP allow-lists, activation windows and roles. Pure
 * functions over system records; the HTTP and SSH layers supply the credentials and the address.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import type { SystemRecord, SystemRole } from './model.ts';
import { isSshPublicKey } from './ssh-key.ts';

/** SHA-256 of a key's secret half, as stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A new API key for a system: base64 of `<systemId>:<secret uuid>` (100 characters). */
export function issueApiKey(
  systemId: string,
  secret: string = randomUUID(),
): { apiKey: string; apiKeyHash: string } {
  return { apiKey: Buffer.from(`${systemId}:${secret}`).toString('base64'), apiKeyHash: hashSecret(secret) };
}

/** Splits `Authorization: Basic <key>` into the system id and secret, or undefined if malformed. */
export function parseAuthorization(
  header: string | undefined,
): { systemId: string; secret: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const systemId = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  if (colon === -1 || !isUuid(systemId) || !isUuid(secret)) return undefined;
  return { systemId: systemId.toLowerCase(), secret };
}

/**
 * The API key a call presents in its Authorization header, in the forms it could show elsewhere in
 * the call: the key itself (its base64 padding aside) and its secret half (also the end of
 * `systemId:secret`). Undefined when the header holds no key.
 */
export function presentedKeyForms(header: string | undefined): string[] | undefined {
  const credentials = parseAuthorization(header);
  if (credentials === undefined) return undefined;
  const key = (/^Basic\s+([A-Za-z0-9+/]+)/i.exec(header as string)?.[1] ?? '').replace(/=+$/, '');
  return [key, credentials.secret];
}

const BASE64_RUN = /[A-Za-z0-9+/]{96,}={0,2}/g;
const PLAIN_KEY =
  /([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}):([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})/g;

/**
 * Strings in `text` shaped like an API key: base64 of `<uuid>:<uuid>`, or `<uuid>:<uuid>` itself,
 * with the system id and secret they name and the text that showed them. Whether one is a real key
 * is for the caller to check against the system's stored hash.
 */
export function keyShapesIn(text: string): Array<{ systemId: string; secret: string; shown: string }> {
  const found: Array<{ systemId: string; secret: string; shown: string }> = [];
  for (const [run] of text.matchAll(BASE64_RUN)) {
    const credentials = parseAuthorization(`Basic ${run}`);
    if (credentials !== undefined) found.push({ ...credentials, shown: run.replace(/=+$/, '') });
  }
  for (const [shown, systemId, secret] of text.matchAll(PLAIN_KEY))
    if (isUuid(systemId) && isUuid(secret)) found.push({ systemId: systemId.toLowerCase(), secret, shown });
  return found;
}

const DUMMY_HASH = hashSecret('00000000-0000-0000-0000-000000000000');

/** Compares a presented secret with a system's stored hash in constant time. */
export function secretMatches(system: SystemRecord | undefined, secret: string): boolean {
  const expected = Buffer.from(system?.apiKeyHash ?? DUMMY_HASH, 'hex');
  const actual = Buffer.from(hashSecret(secret), 'hex');
  return timingSafeEqual(expected, actual) && system !== undefined;
}

/** An IPv4 address in an IPv6 socket (`::ffff:127.0.0.2`) as plain IPv4. */
export function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
}

/** Checks an allow-list entry: one address, or a CIDR range of at most 32 addresses. */
export function allowedIpProblem(entry: string): string | undefined {
  const [address = '', prefixText] = entry.split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (family === undefined) return `"${entry}" is not an IP address or CIDR range`;
  if (prefixText === undefined) return undefined;
  const prefix = Number(prefixText);
  const bits = family === 'ipv4' ? 32 : 128;
  if (!/^\d+$/.test(prefixText) || prefix > bits) return `"${entry}" has an invalid prefix length`;
  if (bits - prefix > 5) return `"${entry}" covers more than 32 addresses`;
  return undefined;
}

/** Whether `address` is allowed by `allowedIps` (an empty list allows every address). */
export function ipAllowed(allowedIps: readonly string[], address: string): boolean {
  if (allowedIps.length === 0) return true;
  const ip = normalizeAddress(address);
  const type = isIPv4(ip) ? 'ipv4' : 'ipv6';
  const list = new BlockList();
  for (const entry of allowedIps) {
    const [net = '', prefix] = entry.split('/');
    const netType = isIPv4(net) ? 'ipv4' : 'ipv6';
    if (prefix === undefined) list.addAddress(net, netType);
    else list.addSubnet(net, Number(prefix), netType);
  }
  return list.check(ip, type);
}

/** Whether the system is in operation at `now`. */
export function isActive(system: SystemRecord, now: number): boolean {
  if (system.deactivatedAt !== undefined && system.deactivatedAt <= now) return false;
  if (system.activeFrom === undefined || system.activeFrom > now) return false;
  return system.activeTo === undefined || now < system.activeTo;
}

export function hasRole(system: SystemRecord, roles: readonly SystemRole[]): boolean {
  return system.roles.some((role) => roles.includes(role));
}

export function isRecipientSystem(system: SystemRecord): boolean {
  return hasRole(system, ['RECIPIENT', 'RECIPIENT_DEFAULT']);
}

const SSH_PUBLIC_KEY =
  /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)) ([A-Za-z0-9+/]+={0,3})( [^\r\n]*)?$/;

/**
 * Why `line` is not one OpenSSH public key line (`<type> <base64> [comment]`) holding a key of its
 * type, or undefined.
 */
export function sshPublicKeyProblem(line: string): string | undefined {
  const match = SSH_PUBLIC_KEY.exec(line);
  if (match === null) return 'must be one OpenSSH public key line (ssh-ed25519, ecdsa-sha2-nistp*, ssh-rsa)';
  const type = match[1] as string;
  return isSshPublicKey(type, Buffer.from(match[3] as string, 'base64'))
    ? undefined
    : `holds no ${type} public key: its base64 is not the key it says it is (copy the whole line of the .pub file)`;
}

/**
 * The registered public key line (OpenSSH form) whose key is `offered` (SSH wire format), if any.
 * Comments do not matter; the key bytes must be the same.
 */
export function registeredSshKey(registered: readonly string[], offered: Uint8Array): string | undefined {
  for (const line of registered) {
    const key = Buffer.from(SSH_PUBLIC_KEY.exec(line)?.[3] ?? '', 'base64');
    if (key.length > 0 && key.length === offered.length && timingSafeEqual(key, offered)) return line;
  }
  return undefined;
}
