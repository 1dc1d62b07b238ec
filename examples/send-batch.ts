/**
 * Send a mass mailing — a statement to each of many citizens — as bulk containers, and survive
 * NgDP failing halfway without sending any letter twice.
 *
 * The letters wait as rows in your database, each with its messageUUID fixed when the row was made.
 * `client.memos.sendBatch` reads them lazily from a generator, packs them into `.tar.lzma`
 * containers of up to `maxMessagesPerContainer` and posts one container at a time. `onProgress`
 * marks each accepted container's rows as sent — the checkpoint. When the batch stops
 * (`BatchSendError`), the next round sends the rows still not marked; a row whose container's answer
 * was lost goes again with the same messageUUID and the same bytes, which NgDP takes as the same
 * message. Rows that are not valid MeMos are left out (`onInvalid: 'skip'`) and reported, so one bad
 * address does not hold up the rest.
 *
 * Run it:
 *
 *   npm run build && node examples/send-batch.ts
 *
 * starts a local simulator and sends 250 letters to its test citizen 0101700001 as Testkommune
 * (CVR 12345678). Against NgDP or your own simulator set DIGITALPOST_BASE_URL and DIGITALPOST_API_KEY
 * (see examples/environment.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  BatchSendError,
  type ClientOptions,
  DigitalPostClient,
  type InvalidBatchMessage,
  type Memo,
} from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import { clientFromEnvironment, SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';

/** A letter in your database. Its messageUUID and creation time never change, so neither does its MeMo. */
export interface LetterRow {
  messageUUID: string;
  cpr: string;
  amount: number;
  createdAt: Date;
  state: 'NEW' | 'SENT' | 'INVALID';
  /** Why the row is INVALID. */
  problem?: string;
}

/** `count` new rows to one citizen; `badCprAt` puts a malformed CPR number in that row. */
export function sampleRows(count: number, options: { cpr?: string; badCprAt?: number } = {}): LetterRow[] {
  const createdAt = new Date();
  return Array.from({ length: count }, (_, i) => ({
    messageUUID: randomUUID(),
    cpr: i === options.badCprAt ? '0101' : (options.cpr ?? '0101700001'),
    amount: 1_000 + i,
    createdAt,
    state: 'NEW' as const,
  }));
}

/** The MeMo of a row, the same every time it is built. Checked by sendBatch, not here. */
function letterOf(row: LetterRow): Promise<Memo> {
  return createLetter({
    messageUUID: row.messageUUID,
    now: row.createdAt,
    sender: { cvr: '12345678', label: 'Testkommune' },
    recipient: { cpr: row.cpr },
    label: 'Opgørelse af din ejendomsskat',
    document: { content: Buffer.from(`%PDF-1.4\n% ${row.amount} kr.\n%%EOF\n`), filename: 'Opgoerelse.pdf' },
    validate: false,
  });
}

async function* lettersOf(rows: readonly LetterRow[]): AsyncGenerator<Memo> {
  for (const row of rows) yield await letterOf(row);
}

export interface SendBatchExampleOptions {
  /** The sender system's client settings. */
  client: ClientOptions;
  rows?: LetterRow[];
  maxMessagesPerContainer?: number;
  /** Give up after this many rounds (default 3). */
  maxRounds?: number;
  /** Wait between rounds (default 30 s). */
  pauseMs?: number;
}

export interface SendBatchExampleResult {
  sent: number;
  invalid: Array<{ messageUUID: string; problem: string }>;
  containers: number;
  rounds: number;
}

export async function main(options: SendBatchExampleOptions): Promise<SendBatchExampleResult> {
  const client = new DigitalPostClient(options.client);
  const rows = options.rows ?? sampleRows(250);
  const byUUID = new Map(rows.map((row) => [row.messageUUID, row]));
  const maxRounds = options.maxRounds ?? 3;
  let containers = 0;
  let rounds = 0;

  while (rows.some((row) => row.state === 'NEW')) {
    rounds++;
    const pending = rows.filter((row) => row.state === 'NEW');
    const markInvalid = (skipped: readonly InvalidBatchMessage[]) => {
      for (const { index, error } of skipped) {
        const row = pending[index];
        if (row !== undefined) Object.assign(row, { state: 'INVALID', problem: error.message });
      }
    };
    try {
      const result = await client.memos.sendBatch(lettersOf(pending), {
        maxMessagesPerContainer: options.maxMessagesPerContainer ?? 100,
        onInvalid: 'skip',
        onProgress: ({ accepted, container }) => {
          // In a real system: one UPDATE … SET state = 'SENT' WHERE messageUUID IN (…), committed.
          for (const uuid of container.messageUUIDs) {
            const row = byUUID.get(uuid);
            if (row !== undefined) row.state = 'SENT';
          }
          containers++;
          console.log(`container ${container.transmissionId}: ${accepted} letters accepted so far`);
        },
      });
      markInvalid(result.skipped);
    } catch (error) {
      if (!(error instanceof BatchSendError)) throw error;
      markInvalid(error.skipped);
      const reason = error.cause instanceof Error ? error.cause.message : String(error.cause);
      console.log(`round ${rounds} stopped after ${error.accepted} letters: ${reason}`);
      if (rounds >= maxRounds) throw error;
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs ?? 30_000));
    }
  }

  const invalid = rows
    .filter((row) => row.state === 'INVALID')
    .map((row) => ({ messageUUID: row.messageUUID, problem: row.problem ?? '' }));
  for (const row of invalid) console.log(`not sent, fix the row: ${row.messageUUID}: ${row.problem}`);
  const sent = rows.filter((row) => row.state === 'SENT').length;
  console.log(`${sent} letters sent in ${containers} containers, ${invalid.length} invalid`);
  return { sent, invalid, containers, rounds };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fromEnvironment = clientFromEnvironment();
  if (fromEnvironment !== undefined) await main({ client: fromEnvironment });
  else
    await withLocalSimulator((simulator) =>
      main({
        client: { baseUrl: simulator.apiUrl, apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.sender) },
      }),
    );
}
