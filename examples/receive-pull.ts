/**
 * A recipient system that pulls its post: list the inbox, fetch each MeMo, store it, and give NgDP
 * the business receipt — COMPLETED once it is safely stored, INVALID (with a code and a reason) for
 * a MeMo this system cannot take. The sender gets that receipt.
 *
 * NgDP has already checked every MeMo against its own rules; a recipient system checks them against
 * its own (`inbox.fetch(id, { validation })`), here at most `maxAttachments` attachments.
 *
 * Storing comes before completing: a crash in between only means the MeMo is fetched and stored
 * again on the next pass (it is written under its messageUUID, so that is harmless). Completing
 * first could lose it.
 *
 * Run it:
 *
 *   npm run build && node examples/receive-pull.ts [folder]
 *
 * starts a local simulator, sends two letters to Testfirma ApS (CVR 87654321) — one with more
 * attachments than the recipient takes — and drains Testfirma's recipient system into the folder
 * (default ./inbox). Against NgDP or your own simulator set DIGITALPOST_BASE_URL and
 * DIGITALPOST_API_KEY to a recipient system's (see examples/environment.ts). Run a pass every minute
 * or so from your scheduler.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type ClientOptions,
  DigitalPostClient,
  type InboxMemo,
  isUuid,
  MemoParseError,
  NotFoundError,
} from 'digitalpost';
import { createLetter, describeIssues } from 'digitalpost/memo';
import { clientFromEnvironment, SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';

export interface PullOptions {
  /** The recipient system's client settings. */
  client: ClientOptions;
  /** Where MeMos are stored, one `<messageUUID>.xml` each. */
  folder: string;
  /** The most attachments this system takes (NgDP allows 10). */
  maxAttachments?: number;
}

export interface PullResult {
  stored: string[];
  rejected: Array<{ messageUUID: string; errorCode: string }>;
}

/** Writes the file whole or not at all: a crash leaves no half-written MeMo. */
async function store(folder: string, messageUUID: string, xml: Uint8Array): Promise<string> {
  const file = join(folder, `${messageUUID.toLowerCase()}.xml`);
  await writeFile(`${file}.partial`, xml);
  await rename(`${file}.partial`, file);
  return file;
}

/** One pass over the inbox. */
export async function main(options: PullOptions): Promise<PullResult> {
  const client = new DigitalPostClient(options.client);
  const validation = { maxAttachments: options.maxAttachments ?? 10 };
  const result: PullResult = { stored: [], rejected: [] };
  await mkdir(options.folder, { recursive: true });

  const reject = async (messageUUID: string, errorCode: string, errorMessage: string): Promise<void> => {
    await client.inbox.reject(messageUUID, { errorCode, errorMessage: errorMessage.slice(0, 500) });
    result.rejected.push({ messageUUID, errorCode });
    console.log(`rejected ${messageUUID}: ${errorCode}`);
  };

  for await (const messageUUID of client.inbox.list()) {
    // The id becomes a filename: take nothing but a UUID.
    if (!isUuid(messageUUID)) {
      await reject(messageUUID, 'MESSAGE_UUID_INVALID', 'the messageUUID is not a UUID');
      continue;
    }
    let fetched: InboxMemo;
    try {
      fetched = await client.inbox.fetch(messageUUID, { validation });
    } catch (error) {
      // Another worker of this system completed it meanwhile.
      if (error instanceof NotFoundError) continue;
      if (error instanceof MemoParseError) {
        await reject(messageUUID, error.code, error.message);
        continue;
      }
      throw error;
    }
    const [first] = fetched.issues;
    if (first !== undefined) {
      await reject(messageUUID, first.code, describeIssues(fetched.issues, { limit: 1 }));
      continue;
    }
    const file = await store(options.folder, messageUUID, fetched.xml);
    await client.inbox.complete(messageUUID);
    result.stored.push(messageUUID);
    console.log(
      `stored "${fetched.memo.messageHeader.label}" from ${fetched.memo.messageHeader.sender.label} in ${file}`,
    );
  }
  return result;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const folder = process.argv[2] ?? 'inbox';
  const fromEnvironment = clientFromEnvironment();
  if (fromEnvironment !== undefined) await main({ client: fromEnvironment, folder });
  else
    await withLocalSimulator(async (simulator) => {
      // Some post for Testfirma first, from Testkommune's sender system.
      const sender = new DigitalPostClient({
        baseUrl: simulator.apiUrl,
        apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.sender),
      });
      const pdf = (filename: string) => ({ content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename });
      for (const attachments of [[], [pdf('Bilag 1.pdf'), pdf('Bilag 2.pdf'), pdf('Bilag 3.pdf')]]) {
        const memo = await createLetter({
          sender: { cvr: '12345678', label: 'Testkommune' },
          recipient: { cvr: '87654321' },
          label: 'Afgørelse om byggetilladelse',
          document: pdf('Afgørelse.pdf'),
          attachments,
        });
        await sender.memos.send(memo);
      }
      await simulator.settle();
      return main({
        client: {
          baseUrl: simulator.apiUrl,
          apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.companyRecipient),
        },
        folder,
        maxAttachments: 2,
      });
    });
}
