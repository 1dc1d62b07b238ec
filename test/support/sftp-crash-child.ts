/**
 * One run of `SftpSender.send` in a process of its own, for the crash tests: it sends the MeMo
 * files of a folder (in name order) with a journal, prints a JSON line per upload, and, when told,
 * kills itself with SIGKILL at a chosen point — nothing is flushed or closed, as in a real crash.
 *
 *   node test/support/sftp-crash-child.ts <config.json>
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Journal, type JournalRecord } from '../../sdk/sftp/journal.ts';
import { SftpSender } from '../../sdk/sftp/sender.ts';

/** The configuration file a crash test writes. */
export interface CrashChildConfig {
  host: string;
  port: number;
  username: string;
  privateKeyFile: string;
  hostKey: string;
  journal: string;
  /** The folder of `*.xml` MeMo files to send. */
  dir: string;
  maxMessagesPerContainer: number;
  /**
   * Where to die: `upload-progress` (bytes of an upload are on the server, it is not renamed),
   * `renamed` (an upload is renamed, the journal does not know yet); at the `nth` such point.
   */
  crash?: { at: 'upload-progress' | 'renamed'; nth: number };
}

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

const config = JSON.parse(await readFile(process.argv[2] as string, 'utf8')) as CrashChildConfig;
const sender = new SftpSender({
  host: config.host,
  port: config.port,
  username: config.username,
  privateKey: await readFile(config.privateKeyFile, 'utf8'),
  hostKey: config.hostKey,
  journal: config.journal,
});
let count = 0;
const { crash } = config;
if (crash?.at === 'upload-progress')
  sender.on('upload-progress', () => {
    if (++count === crash.nth) die();
  });
if (crash?.at === 'renamed') {
  // An injected crash between the rename and the journal line that records it.
  const record = Journal.prototype.record;
  Journal.prototype.record = function (this: Journal, line: JournalRecord): Promise<void> {
    if (line.state === 'uploaded' && ++count === crash.nth) die();
    return record.call(this, line);
  };
}
sender.on('uploaded', (upload) =>
  process.stdout.write(
    `${JSON.stringify({ uploaded: upload.name, messages: upload.messageUUIDs.length })}\n`,
  ),
);

async function* memoFiles(): AsyncGenerator<Buffer> {
  const names = (await readdir(config.dir)).filter((name) => name.endsWith('.xml')).sort();
  for (const name of names) yield await readFile(join(config.dir, name));
}

const result = await sender.send(memoFiles(), { maxMessagesPerContainer: config.maxMessagesPerContainer });
await sender.close();
process.stdout.write(
  `${JSON.stringify({ done: true, messages: result.messages, alreadySent: result.alreadySent })}\n`,
);
