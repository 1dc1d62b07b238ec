import type { Command } from 'commander';
import { canReceiveDigitalPost } from '../../sdk/client/contacts.ts';
import type { Contact } from '../../sdk/client/types.ts';
import { partyNumberKind } from '../../sdk/ngdp/identifiers.ts';
import { addConnectionOptions, type ConnectionFlags, connect, stopsTheRun } from '../connection.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';

interface LookupFlags extends ConnectionFlags {
  json?: boolean;
}

type Who = { cpr: string } | { cvr: string };

/** A CPR number (10 digits, also as DDMMYY-SSSS) or a CVR number (8 digits). */
function parseNumber(text: string): Who {
  const number = /^\d{6}-\d{4}$/.test(text) ? text.replace('-', '') : text;
  switch (partyNumberKind(number)) {
    case 'CPR':
      return { cpr: number };
    case 'CVR':
      return { cvr: number };
  }
  throw new CliError(
    `${JSON.stringify(text)} is neither a CPR number (10 digits, DDMMYYSSSS) nor a CVR number (8 digits)`,
  );
}

/** What the output says about one contact. */
function summary(who: Who, contact: Contact) {
  const subscription = contact.mailboxSubscription;
  return {
    number: 'cpr' in who ? who.cpr : who.cvr,
    type: 'cpr' in who ? 'CPR' : 'CVR',
    publicRegistrationStatus: subscription?.publicRegistrationStatus ?? 'UNKNOWN',
    registrationStatus: subscription?.registrationStatus ?? 'UNKNOWN',
    canReceiveDigitalPost: canReceiveDigitalPost(contact),
    nemSms: contact.nemSmsSubscription?.confirmedDateTime !== undefined,
  };
}

function line(entry: ReturnType<typeof summary>): string {
  return [
    entry.number.padEnd(10),
    entry.publicRegistrationStatus.padEnd(10),
    entry.registrationStatus.padEnd(31),
    `Digital Post: ${entry.canReceiveDigitalPost ? 'yes' : 'no '}`,
    `NemSMS: ${entry.nemSms ? 'yes' : 'no'}`,
  ].join('  ');
}

async function lookup(numbers: string[], flags: LookupFlags, io: CliIO): Promise<number> {
  const people = numbers.map(parseNumber);
  const connection = await connect(flags, io);
  let exitCode: number = EXIT.ok;
  for (const who of people) {
    let contact: Contact;
    try {
      contact = await connection.client.contacts.lookup(who);
    } catch (error) {
      if (stopsTheRun(error)) connection.fail(error);
      io.stderr(
        `digitalpost: ${'cpr' in who ? who.cpr : who.cvr}: ${printable(connection.describe(error))}\n`,
      );
      exitCode = EXIT.failed;
      continue;
    }
    const entry = summary(who, contact);
    io.stdout(flags.json ? jsonLine({ ...entry, contact }) : `${printable(line(entry))}\n`);
  }
  return exitCode;
}

/** `digitalpost contacts …` */
export function registerContactsCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const contacts = program
    .command('contacts')
    .description("citizens' and companies' Digital Post registration");
  const command = contacts
    .command('lookup')
    .description(
      'print the registration of CPR or CVR numbers and whether Digital Post can be delivered to them',
    )
    .argument('<number...>', 'CPR numbers (10 digits, or DDMMYY-SSSS) and CVR numbers (8 digits)')
    .option(
      '--json',
      'one JSON object per number (JSON Lines): {number, type, publicRegistrationStatus, registrationStatus, canReceiveDigitalPost, nemSms, contact}',
    );
  addConnectionOptions(command)
    .addHelpText(
      'after',
      [
        '',
        'One line per number: number, publicRegistrationStatus, registrationStatus, whether Digital Post',
        'can be delivered now (REGISTERED and past any waiting period) and whether NemSMS is confirmed.',
        'A number NgDP does not know shows as UNKNOWN.',
        '',
        'Exit codes: 0 every number looked up (whatever its status), 1 a lookup failed or NgDP is',
        '  unreachable or refused, 2 a malformed number, usage error or missing credentials.',
      ].join('\n'),
    )
    .action(async (numbers: string[], flags: LookupFlags) => setExitCode(await lookup(numbers, flags, io)));
}
