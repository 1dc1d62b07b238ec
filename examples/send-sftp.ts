/**
 * Send a mass mailing over NgDP's SFTP mass-sending channel, safe to run again after a crash, and
 * collect what came of every letter.
 *
 * `SftpSender.send` packs the letters into `.tar.lzma` containers and streams each straight into an
 * upload in `/in` (written as `<name>.part`, then renamed, so the server never takes half a file).
 * The journal — a local file — records every upload as it happens: if this program dies halfway, run
 * it again with the same letters and journal, and it uploads exactly what is missing. Afterwards the
 * business receipts come as files in `/out/receipts`: `waitForReceipts` collects those of the
 * mailing and acknowledges them by deleting the files; uploads the server could not take are
 * explained in `/out/errors`.
 *
 * Run it:
 *
 *   npm run build && node examples/send-sftp.ts
 *
 * starts a local simulator with its SFTP server, registers a new key for its SFTP sender system
 * (user `testkommune`) and sends 250 letters to its test citizen 0101700001, the simulator's host
 * key pinned (`sftp.hostKeyFingerprint`). Against your own SFTP server set DIGITALPOST_SFTP
 * (HOST:PORT), DIGITALPOST_SFTP_USER, DIGITALPOST_SFTP_KEY (a private key file), and
 * DIGITALPOST_SFTP_HOST_KEY (the server's SHA256:… fingerprint, from its operator) — or leave it out
 * and the server's key must be in ~/.ssh/known_hosts, where `sftp` puts the servers you accepted.
 * The host key is always checked: a program that trusts any key uploads its letters to whoever
 * answers at the address.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Memo, type ReceiptStatus, SftpSender, type SftpSenderOptions } from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import ssh2 from 'ssh2';
import { SEEDED_SYSTEMS, withLocalSimulator } from './environment.ts';

/** A letter of the mailing. Its messageUUID and creation time never change, so neither does its MeMo. */
export interface Letter {
  messageUUID: string;
  cpr: string;
  amount: number;
  createdAt: Date;
}

export function sampleLetters(count: number, cpr = '0101700001'): Letter[] {
  const createdAt = new Date();
  return Array.from({ length: count }, (_, i) => ({
    messageUUID: randomUUID(),
    cpr,
    amount: 1_000 + i,
    createdAt,
  }));
}

async function* memosOf(letters: readonly Letter[]): AsyncGenerator<Memo> {
  for (const letter of letters)
    yield await createLetter({
      messageUUID: letter.messageUUID,
      now: letter.createdAt,
      sender: { cvr: '12345678', label: 'Testkommune' },
      recipient: { cpr: letter.cpr },
      label: 'Opgørelse af din ejendomsskat',
      document: {
        content: Buffer.from(`%PDF-1.4\n% ${letter.amount} kr.\n%%EOF\n`),
        filename: 'Opgoerelse.pdf',
      },
      validate: false,
    });
}

export interface SendSftpExampleOptions {
  /** How to reach the SFTP server: host, port, username, privateKey, hostKey. */
  sftp: SftpSenderOptions;
  /** The journal file of this mailing (keep it until the mailing is done). */
  journal: string;
  letters?: Letter[];
  /** How long to wait for the business receipts (default 10 minutes). */
  receiptTimeoutMs?: number;
  /** The clock the wait runs on (tests pass the simulator's). */
  clock?: { now(): number; sleep(ms: number): Promise<unknown> };
}

export interface SendSftpExampleResult {
  /** Letters uploaded by this run. */
  uploaded: number;
  /** Letters an earlier run had uploaded (from the journal). */
  alreadySent: number;
  containers: number;
  /** Business receipts by status. */
  receipts: Partial<Record<ReceiptStatus, number>>;
  /** Letters without a business receipt yet. */
  pending: string[];
}

export async function main(options: SendSftpExampleOptions): Promise<SendSftpExampleResult> {
  const letters = options.letters ?? sampleLetters(250);
  await using sender = new SftpSender({ ...options.sftp, journal: options.journal });
  sender.on('warning', (warning) => console.log(`warning: ${warning.message}`));
  sender.on('uploaded', (upload) =>
    console.log(`uploaded /in/${upload.name}: ${upload.messageUUIDs.length} letters`),
  );

  const sent = await sender.send(memosOf(letters), { maxMessagesPerContainer: 100 });
  if (sent.alreadySent > 0) console.log(`${sent.alreadySent} letters were uploaded by an earlier run`);

  for await (const refused of sender.errors())
    console.log(`the server did not take ${refused.upload}: ${refused.error.code}: ${refused.error.message}`);

  const { receipts, missing } = await sender.waitForReceipts(
    letters.map((letter) => letter.messageUUID),
    {
      timeoutMs: options.receiptTimeoutMs ?? 10 * 60_000,
      pollIntervalMs: 10_000,
      ...(options.clock === undefined ? {} : { clock: options.clock }),
    },
  );
  const byStatus: Partial<Record<ReceiptStatus, number>> = {};
  for (const receipt of receipts)
    byStatus[receipt.receiptStatus] = (byStatus[receipt.receiptStatus] ?? 0) + 1;
  console.log(`business receipts: ${JSON.stringify(byStatus)}; ${missing.length} still pending`);
  return {
    uploaded: sent.messages,
    alreadySent: sent.alreadySent,
    containers: sent.uploads.length,
    receipts: byStatus,
    pending: missing,
  };
}

/** SFTP settings from DIGITALPOST_SFTP* variables, or undefined when DIGITALPOST_SFTP is not set. */
function sftpFromEnvironment(env: NodeJS.ProcessEnv = process.env): SftpSenderOptions | undefined {
  const address = env.DIGITALPOST_SFTP;
  if (address === undefined || address === '') return undefined;
  const [host = '', port = '22'] = address.split(':');
  const { DIGITALPOST_SFTP_USER: username, DIGITALPOST_SFTP_KEY: keyFile } = env;
  if (!username || !keyFile)
    throw new Error('DIGITALPOST_SFTP is set: set DIGITALPOST_SFTP_USER and DIGITALPOST_SFTP_KEY too');
  return {
    host,
    port: Number(port),
    username,
    privateKey: readFileSync(keyFile),
    ...(env.DIGITALPOST_SFTP_HOST_KEY
      ? { hostKey: env.DIGITALPOST_SFTP_HOST_KEY }
      : { knownHosts: join(homedir(), '.ssh', 'known_hosts') }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const journal = join(await mkdtemp(join(tmpdir(), 'send-sftp-')), 'mailing.journal');
  const fromEnvironment = sftpFromEnvironment();
  if (fromEnvironment !== undefined) await main({ sftp: fromEnvironment, journal });
  else
    await withLocalSimulator(
      async (simulator) => {
        const sftp = simulator.sftp;
        if (sftp === null) throw new Error('the simulator runs no SFTP server');
        // In real life: your system's key pair (ssh-keygen), its public half registered for the system.
        const keys = ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256 });
        await fetch(`${simulator.controlUrl}/systems/${SEEDED_SYSTEMS.sftpSender}/ssh-key`, {
          method: 'PUT',
          body: keys.public,
        });
        return main({
          sftp: {
            host: sftp.host,
            port: sftp.port,
            username: 'testkommune',
            privateKey: keys.private,
            // The simulator's own key, as it prints it at start: no other server can pose as it.
            hostKey: sftp.hostKeyFingerprint,
          },
          journal,
        });
      },
      { sftpPort: 0 },
    );
}
