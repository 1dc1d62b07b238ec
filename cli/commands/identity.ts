/**
 * `digitalpost identity create|list|delete`: test citizens, companies and employees with rights, in
 * the test portal (docs/cli.md, "Test identities"). Numbers and passwords are made on request; a
 * password made here is printed this once.
 */
import { randomBytes } from 'node:crypto';
import { Argument, type Command, InvalidArgumentError, Option } from 'commander';
import type { NewTestContact, TestEmployee } from '../../sdk/admin/portal.ts';
import type { Contact } from '../../sdk/client/types.ts';
import { PUBLIC_REGISTRATION_STATUSES, REGISTRATION_STATUSES } from '../../sdk/ngdp/enums.ts';
import {
  isCprNumber,
  isCvrNumber,
  maskCpr,
  maskCprValue,
  testCprNumber,
  testCvrNumber,
} from '../../sdk/ngdp/identifiers.ts';
import { ADMIN_RIGHTS } from '../../simulator/domain/admin-rights.ts';
import { type AdminFlags, addAdminOptions, adminConnect, withAdmin } from '../admin-connection.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';

interface ContactFlags extends AdminFlags {
  generate?: boolean;
  name?: string;
  status?: NewTestContact['publicRegistrationStatus'];
  registration?: NewTestContact['registrationStatus'];
  nemsms?: string;
}

interface EmployeeFlags extends AdminFlags {
  password?: string;
  name?: string;
  rights?: string[];
}

const EXIT_CODES = '\nExit codes: 0 done, 1 NgDP refused or is unreachable, 2 usage error or not logged in.';

/** `a,b` and repeated flags, as one list. */
const list = (value: string, all: string[] | undefined): string[] => [
  ...(all ?? []),
  ...value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== ''),
];

/** A number given, or one made with --generate; never both, never neither. */
function numberOf(
  kind: 'citizen' | 'company',
  given: string | undefined,
  generate: boolean | undefined,
): string {
  const [label, valid, make] =
    kind === 'citizen'
      ? (['CPR number (10 digits, DDMMYYSSSS)', isCprNumber, testCprNumber] as const)
      : (['CVR number (8 digits)', isCvrNumber, testCvrNumber] as const);
  if (given !== undefined && generate === true) throw new CliError(`give a ${label} or --generate, not both`);
  if (given === undefined) {
    if (generate !== true) throw new CliError(`give the ${label}, or --generate to have one made`);
    return make();
  }
  const number = /^\d{6}-\d{4}$/.test(given) ? given.replace('-', '') : given;
  // A malformed CPR number is shown no further than its first six characters.
  const shown = kind === 'citizen' ? maskCprValue(given) : given;
  if (!valid(number)) throw new CliError(`${JSON.stringify(shown)} is not a ${label}`);
  return number;
}

/** A contact in one line: its number (a CPR number masked unless `wholeCpr`), type and registration. */
function contactLine(contact: Contact, wholeCpr = true): string {
  const subscription = contact.mailboxSubscription;
  const cpr = contact.cprNumber === undefined || wholeCpr ? contact.cprNumber : maskCpr(contact.cprNumber);
  return `${printable(
    [
      cpr ?? contact.cvrNumber ?? contact.id,
      contact.type,
      subscription?.publicRegistrationStatus ?? 'UNKNOWN',
      subscription?.registrationStatus ?? 'UNKNOWN',
    ].join('  '),
  )}\n`;
}

async function createContact(
  kind: 'citizen' | 'company',
  given: string | undefined,
  flags: ContactFlags,
  io: CliIO,
): Promise<number> {
  const number = numberOf(kind, given, flags.generate);
  const connection = await adminConnect(flags, io);
  const details: NewTestContact = {
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.status === undefined ? {} : { publicRegistrationStatus: flags.status }),
    ...(flags.registration === undefined ? {} : { registrationStatus: flags.registration }),
    ...(flags.nemsms === undefined ? {} : { nemSmsMobileNumber: flags.nemsms }),
  };
  const contact = await withAdmin(connection, (client) =>
    kind === 'citizen'
      ? client.portal.createCitizen(number, details)
      : client.portal.createCompany(number, details),
  );
  io.stdout(flags.json === true ? jsonLine(contact) : contactLine(contact));
  return EXIT.ok;
}

function rightsOf(employee: TestEmployee, organisationId: string): string[] {
  return employee.rights.find((entry) => entry.organisationId === organisationId)?.rights ?? [];
}

function employeeLine(employee: TestEmployee, organisationId: string): string {
  const rights = rightsOf(employee, organisationId);
  return `${printable(`${employee.username}  RID ${employee.rid}  ${employee.name}  ${rights.join(',') || '(no rights)'}`)}\n`;
}

async function createEmployee(given: string | undefined, flags: EmployeeFlags, io: CliIO): Promise<number> {
  const username = given ?? `test-${randomBytes(3).toString('hex')}`;
  const generated = flags.password === undefined;
  const password = flags.password ?? randomBytes(12).toString('base64url');
  const rights = flags.rights ?? [...ADMIN_RIGHTS];
  const connection = await adminConnect(flags, io, { secrets: generated ? [] : [password] });
  const employee = await withAdmin(connection, (client) =>
    client.portal.createEmployee({
      username,
      password,
      rights,
      ...(flags.name === undefined ? {} : { name: flags.name }),
    }),
  );
  // A password made here is printed this once; one given is never repeated.
  const shown = generated ? { password } : {};
  if (flags.json === true) io.stdout(jsonLine({ ...employee, ...shown }));
  else {
    io.stdout(employeeLine(employee, employee.organisationId));
    if (generated) io.stdout(`password: ${password}  (shown this once)\n`);
  }
  return EXIT.ok;
}

interface ListFlags extends AdminFlags {
  showCpr?: boolean;
}

/** `identity list WHAT`: employees, or the citizens or companies, one line (or JSON line) each. */
async function listIdentities(
  what: 'employees' | 'citizens' | 'companies',
  flags: ListFlags,
  io: CliIO,
): Promise<number> {
  if (what === 'employees') return listEmployees(flags, io);
  const connection = await adminConnect(flags, io);
  await withAdmin(connection, async (client) => {
    const contacts = what === 'citizens' ? client.portal.citizens() : client.portal.companies();
    for await (const contact of contacts)
      io.stdout(flags.json === true ? jsonLine(contact) : contactLine(contact, flags.showCpr === true));
  });
  return EXIT.ok;
}

async function listEmployees(flags: AdminFlags, io: CliIO): Promise<number> {
  const connection = await adminConnect(flags, io);
  const employees = await withAdmin(connection, (client) => client.portal.employees());
  const organisationId = connection.organisationId ?? employees[0]?.organisationId ?? '';
  for (const employee of employees)
    io.stdout(flags.json === true ? jsonLine(employee) : employeeLine(employee, organisationId));
  return EXIT.ok;
}

interface OrganisationFlags extends AdminFlags {
  generate?: boolean;
  name: string;
  type: 'authority' | 'company';
  authorityType?: 'STATE' | 'MUNICIPALITY' | 'REGION' | 'OTHER';
  username?: string;
}

/** A test organisation and its first employee (every right), whose password is printed this once. */
async function createOrganisation(
  given: string | undefined,
  flags: OrganisationFlags,
  io: CliIO,
): Promise<number> {
  const cvrNumber = numberOf('company', given, flags.generate);
  const connection = await adminConnect(flags, io, { anonymous: true });
  const created = await withAdmin(connection, (client) =>
    client.portal.createOrganisation({
      cvrNumber,
      name: flags.name,
      type: flags.type === 'authority' ? 'AUTHORITY' : 'COMPANY',
      ...(flags.authorityType === undefined ? {} : { authorityType: flags.authorityType }),
      ...(flags.username === undefined ? {} : { employee: { username: flags.username } }),
    }),
  );
  const { organisation, employee, password } = created;
  if (flags.json === true) io.stdout(jsonLine(created));
  else
    io.stdout(
      `${printable(`${organisation.id}  ${organisation.cvrNumber}  ${organisation.type}  ${organisation.name}`)}\n` +
        `${printable(`first employee: ${employee.username}  password: ${password}  (shown this once)`)}\n`,
    );
  return EXIT.ok;
}

async function deleteEmployee(username: string, flags: AdminFlags, io: CliIO): Promise<number> {
  const connection = await adminConnect(flags, io);
  await withAdmin(connection, (client) => client.portal.deleteEmployee(username));
  io.stdout(
    flags.json === true ? jsonLine({ username, deleted: true }) : `${printable(`deleted ${username}`)}\n`,
  );
  return EXIT.ok;
}

/** `identity delete citizen|company NUMBER`; the CPR number printed back masked. */
async function deleteContact(
  kind: 'citizen' | 'company',
  given: string,
  flags: AdminFlags,
  io: CliIO,
): Promise<number> {
  const number = numberOf(kind, given, false);
  const connection = await adminConnect(flags, io);
  await withAdmin(connection, (client) =>
    kind === 'citizen' ? client.portal.deleteCitizen(number) : client.portal.deleteCompany(number),
  );
  const field = kind === 'citizen' ? 'cprNumber' : 'cvrNumber';
  io.stdout(
    flags.json === true
      ? jsonLine({ [field]: number, deleted: true })
      : `deleted ${kind} ${kind === 'citizen' ? maskCpr(number) : number}\n`,
  );
  return EXIT.ok;
}

function mobileNumber(value: string): string {
  if (!/^[2-9]\d{7}$/.test(value))
    throw new InvalidArgumentError('a Danish mobile number: 8 digits, not 0 or 1 first');
  return value;
}

function contactCommand(
  create: Command,
  kind: 'citizen' | 'company',
  io: CliIO,
  setExitCode: (code: number) => void,
) {
  const [number, generated] =
    kind === 'citizen' ? ['cpr', 'a valid test CPR number'] : ['cvr', 'a valid test CVR number'];
  const command = create
    .command(kind)
    .description(`create (or change) a test ${kind} with a mailbox`)
    .argument(`[${number}]`, kind === 'citizen' ? 'its CPR number (10 digits)' : 'its CVR number (8 digits)')
    .option('--generate', `make ${generated} (printed)`)
    .option('--name <name>', `its name (default: ${kind === 'citizen' ? 'Testborger' : 'Testvirksomhed'})`)
    .addOption(
      new Option('--status <status>', 'its public registration status (default REGISTERED)').choices(
        PUBLIC_REGISTRATION_STATUSES.filter((status) => status !== 'UNKNOWN'),
      ),
    )
    .addOption(
      new Option('--registration <registration>', 'how it came about (default: follows --status)').choices(
        REGISTRATION_STATUSES.filter((status) => status !== 'UNKNOWN'),
      ),
    )
    .option('--json', "print NgDP's Contact as one JSON line");
  if (kind === 'citizen')
    command.option('--nemsms <mobile>', 'registered for NemSMS with this mobile number', mobileNumber);
  addAdminOptions(command, false)
    .addHelpText(
      'after',
      `\nExample: digitalpost identity create ${kind} --generate${kind === 'citizen' ? ' --status EXEMPT' : ''}${EXIT_CODES}`,
    )
    .action(async (value: string | undefined, flags: ContactFlags) =>
      setExitCode(await createContact(kind, value, flags, io)),
    );
}

/** `digitalpost identity …` */
export function registerIdentityCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const identity = program
    .command('identity')
    .description(
      "the test portal's identities: citizens, companies and employees with rights (after digitalpost login)",
    );
  const create = identity
    .command('create')
    .description('create a test citizen, company, employee or organisation');
  contactCommand(create, 'citizen', io, setExitCode);
  contactCommand(create, 'company', io, setExitCode);
  addAdminOptions(
    create
      .command('organisation')
      .description(
        'create a test organisation and its first employee, who holds every right (no login needed)',
      )
      .argument('[cvr]', 'its CVR number (8 digits)')
      .option('--generate', 'make a valid test CVR number (printed)')
      .option('--name <name>', 'its name', 'Testorganisation')
      .addOption(
        new Option('--type <type>', 'what it is').choices(['authority', 'company']).default('authority'),
      )
      .addOption(
        new Option('--authority-type <type>', "an authority's kind").choices([
          'STATE',
          'MUNICIPALITY',
          'REGION',
          'OTHER',
        ]),
      )
      .option('--username <name>', 'the first employee (default: admin-<cvr>)')
      .option('--json', 'print {organisation, employee, password} as one JSON line'),
    false,
  )
    .addHelpText(
      'after',
      `\nThe first employee's password is made and printed once: log in with digitalpost login.\nExample: digitalpost identity create organisation --generate --name Prøvekommune${EXIT_CODES}`,
    )
    .action(async (cvr: string | undefined, flags: OrganisationFlags) =>
      setExitCode(await createOrganisation(cvr, flags, io)),
    );
  addAdminOptions(
    create
      .command('employee')
      .description("create a test employee of the login's organisation, with rights")
      .argument('[username]', '3–64 of A–Z a–z 0–9 . _ - (default: test-<random>)')
      .option(
        '--password <text>',
        'its password, at least 8 characters (default: one is made and printed once)',
      )
      .option('--name <name>', 'its name (default: the username)')
      .option(
        '--rights <rights>',
        `its rights, comma-separated or repeated: ${ADMIN_RIGHTS.join(', ')}, or their test names ("DP Admin") (default: all)`,
        list,
      )
      .option('--json', 'print the employee as one JSON line (with the password when one was made)'),
    false,
  )
    .addHelpText(
      'after',
      `\nExample: digitalpost identity create employee jens --rights ORGANISATION_ADMINISTRATOR${EXIT_CODES}`,
    )
    .action(async (username: string | undefined, flags: EmployeeFlags) =>
      setExitCode(await createEmployee(username, flags, io)),
    );
  addAdminOptions(
    identity
      .command('list')
      .description(
        "list the test employees of the login's organisation and those given rights in it, or every test citizen or company",
      )
      .addArgument(
        new Argument('[what]', 'what to list')
          .choices(['employees', 'citizens', 'companies'])
          .default('employees'),
      )
      .option('--show-cpr', 'show whole CPR numbers (masked by default: 010170****)')
      .option(
        '--json',
        "one JSON object per employee, or NgDP's Contact per citizen or company (JSON Lines)",
      ),
    false,
  )
    .addHelpText(
      'after',
      `\nCitizens and companies are shared by all organisations: the seed's (the magic identities among them) and those made since.\nExample: digitalpost identity list citizens${EXIT_CODES}`,
    )
    .action(async (what: 'employees' | 'citizens' | 'companies', flags: ListFlags) =>
      setExitCode(await listIdentities(what, flags, io)),
    );
  const remove = identity.command('delete').description('delete a test identity');
  for (const kind of ['citizen', 'company'] as const)
    addAdminOptions(
      remove
        .command(kind)
        .description(
          `delete a test ${kind}: its number is unknown from then on, the letters in its mailbox stay`,
        )
        .argument(
          kind === 'citizen' ? '<cpr>' : '<cvr>',
          kind === 'citizen' ? 'its CPR number (10 digits)' : 'its CVR number (8 digits)',
        )
        .option(
          '--json',
          `print {${kind === 'citizen' ? 'cprNumber' : 'cvrNumber'}, deleted} as one JSON line`,
        ),
      false,
    )
      .addHelpText('after', EXIT_CODES)
      .action(async (number: string, flags: AdminFlags) =>
        setExitCode(await deleteContact(kind, number, flags, io)),
      );
  addAdminOptions(
    remove
      .command('employee')
      .description("delete a test employee of the login's organisation; its logins end at once")
      .argument('<username>', 'the employee')
      .option('--json', 'print {username, deleted} as one JSON line'),
    false,
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (username: string, flags: AdminFlags) =>
      setExitCode(await deleteEmployee(username, flags, io)),
    );
}
