/**
 * Digital Post, or a printed letter: look the recipient up first. Citizens who are EXEMPT, whose
 * mailbox is CLOSED, whom NgDP does not know, or who are registered but cannot receive post yet go
 * to your physical-letter path instead; everyone else gets the letter digitally.
 *
 * `client.contacts.lookup` gives the registration and `canReceiveDigitalPost` decides. The physical
 * path is yours (a print-and-post service, a queue): here it is the `print` callback.
 *
 * A lookup is a snapshot: a registration can change between the lookup and the delivery. Your
 * receipt loop should send letters that come back NOT_ALLOWED with a RECIPIENT_* errorCode to the
 * same physical path.
 *
 * Run it:
 *
 *   npm run build && node examples/fallback-to-print.ts
 *
 * starts a local simulator and writes, as Testkommune, to its test citizens 0101700001 (digital)
 * and 0101700002–0101700004 (printed). Against NgDP or your own simulator set DIGITALPOST_BASE_URL
 * and DIGITALPOST_API_KEY (see examples/environment.ts) and list the CPR numbers as arguments.
 */
import {
  type ClientOptions,
  type Contact,
  canReceiveDigitalPost,
  DigitalPostClient,
  type PublicRegistrationStatus,
  type RegistrationStatus,
} from 'digitalpost';
import { createLetter } from 'digitalpost/memo';
import { clientFromEnvironment, SEEDED_SYSTEMS, seededApiKey, withLocalSimulator } from './environment.ts';

/** A letter as your system holds it, before it picks a channel. */
export interface OutgoingLetter {
  recipientCpr: string;
  label: string;
  document: { content: Uint8Array; filename: string };
}

/** Why a letter is printed: NgDP's public status, or the registration step a REGISTERED citizen is in. */
export type PrintReason = Exclude<PublicRegistrationStatus, 'REGISTERED'> | RegistrationStatus;

export type Delivery =
  | { recipientCpr: string; channel: 'DIGITAL_POST'; messageUUID: string }
  | { recipientCpr: string; channel: 'PRINT'; reason: PrintReason };

export interface Sender {
  cvr: string;
  name: string;
}

/** Why this contact cannot get Digital Post now (call only when `canReceiveDigitalPost` is false). */
function printReason(contact: Contact): PrintReason {
  const subscription = contact.mailboxSubscription;
  // No subscription at all: a citizen NgDP has not entered into the registration flow yet.
  if (subscription === undefined) return 'UNKNOWN';
  return subscription.publicRegistrationStatus === 'REGISTERED'
    ? subscription.registrationStatus
    : subscription.publicRegistrationStatus;
}

/**
 * Sends the letter by Digital Post when the recipient can receive it, else hands it to `print`.
 * A failed lookup throws: printing on a network error would send letters twice once NgDP is back.
 */
export async function sendOrPrint(
  client: DigitalPostClient,
  sender: Sender,
  letter: OutgoingLetter,
  print: (letter: OutgoingLetter, reason: PrintReason) => Promise<void>,
): Promise<Delivery> {
  const contact = await client.contacts.lookup({ cpr: letter.recipientCpr });
  if (!canReceiveDigitalPost(contact)) {
    const reason = printReason(contact);
    await print(letter, reason);
    return { recipientCpr: letter.recipientCpr, channel: 'PRINT', reason };
  }
  const memo = await createLetter({
    sender: { cvr: sender.cvr, label: sender.name },
    recipient: { cpr: letter.recipientCpr },
    label: letter.label,
    document: letter.document,
  });
  await client.memos.send(memo);
  return {
    recipientCpr: letter.recipientCpr,
    channel: 'DIGITAL_POST',
    messageUUID: memo.messageHeader.messageUUID,
  };
}

export interface FallbackOptions {
  /** The sender system's client settings. */
  client: ClientOptions;
  sender?: Sender;
  recipients: string[];
  /** Your physical-letter path. */
  print: (letter: OutgoingLetter, reason: PrintReason) => Promise<void>;
}

export async function main(options: FallbackOptions): Promise<Delivery[]> {
  const client = new DigitalPostClient(options.client);
  const sender = options.sender ?? { cvr: '12345678', name: 'Testkommune' };
  const deliveries: Delivery[] = [];
  for (const recipientCpr of options.recipients) {
    const letter: OutgoingLetter = {
      recipientCpr,
      label: 'Indkaldelse til samtale',
      document: { content: Buffer.from('%PDF-1.4\n%%EOF\n'), filename: 'Indkaldelse.pdf' },
    };
    const delivery = await sendOrPrint(client, sender, letter, options.print);
    console.log(
      `${recipientCpr.slice(0, 6)}****: ${delivery.channel === 'PRINT' ? `printed (${delivery.reason})` : `Digital Post ${delivery.messageUUID}`}`,
    );
    deliveries.push(delivery);
  }
  return deliveries;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const recipients = process.argv.slice(2);
  const run = (client: ClientOptions) =>
    main({
      client,
      recipients:
        recipients.length > 0 ? recipients : ['0101700001', '0101700002', '0101700003', '0101700004'],
      print: async (letter, reason) => console.log(`  → to the printer: "${letter.label}" (${reason})`),
    });
  const fromEnvironment = clientFromEnvironment();
  if (fromEnvironment !== undefined) await run(fromEnvironment);
  else
    await withLocalSimulator((simulator) =>
      run({ baseUrl: simulator.apiUrl, apiKey: seededApiKey(simulator, SEEDED_SYSTEMS.sender) }),
    );
}
