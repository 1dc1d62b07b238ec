/** `digitalpost login`: a test employee's bearer token, kept for the administration commands. */
import type { Command } from 'commander';
import {
  ADMIN_ENV,
  type AdminFlags,
  addAdminOptions,
  adminConnect,
  saveLogin,
  withAdmin,
} from '../admin-connection.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';

interface LoginFlags extends AdminFlags {
  username: string;
  password?: string;
  print?: boolean;
}

async function login(flags: LoginFlags, io: CliIO): Promise<number> {
  const password = flags.password ?? io.env[ADMIN_ENV.password];
  if (password === undefined || password === '')
    throw new CliError(`no password: pass --password or set ${ADMIN_ENV.password}`);
  const connection = await adminConnect(flags, io, { anonymous: true, secrets: [password] });
  const organisationId = flags.organisation;
  const token = await withAdmin(connection, (client) =>
    client.portal.login({
      username: flags.username,
      password,
      ...(organisationId === undefined ? {} : { organisationId }),
    }),
  );
  const acting = token.additionalInformation?.organisationId ?? organisationId ?? '';
  const summary = {
    username: flags.username,
    organisationId: acting,
    ...(token.expiration === undefined ? {} : { expiration: token.expiration }),
  };
  if (flags.print === true) {
    io.stdout(flags.json === true ? jsonLine({ ...summary, token: token.value }) : `${token.value}\n`);
    return EXIT.ok;
  }
  const validUntil =
    typeof token.expiresIn === 'number'
      ? new Date(Date.now() + token.expiresIn * 1000).toISOString()
      : undefined;
  const file = await saveLogin(io, {
    baseUrl: connection.client.baseUrl,
    token: token.value,
    ...summary,
    ...(validUntil === undefined ? {} : { validUntil }),
  });
  io.stdout(
    flags.json === true
      ? jsonLine({ ...summary, file })
      : `${printable(`logged in as ${flags.username} for organisation ${acting}${token.expiration === undefined ? '' : ` until ${token.expiration}`}; the token is kept in ${file}`)}\n`,
  );
  return EXIT.ok;
}

/** `digitalpost login` */
export function registerLoginCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  const command = program
    .command('login')
    .description('log in as a test employee of Administrativ Adgang; later commands use the token')
    .requiredOption(
      '--username <name>',
      'the test employee (the simulator prints its seeded ones at sim start)',
    )
    .option(
      '--password <text>',
      `its password (env ${ADMIN_ENV.password}, which the process list does not show)`,
    )
    .option('--print', 'print the token instead of keeping it (for DIGITALPOST_ADMIN_TOKEN or curl)')
    .option('--json', 'one JSON object: {username, organisationId, expiration, file} (with --print: token)');
  addAdminOptions(command)
    .addHelpText(
      'after',
      [
        '',
        '--organisation ID logs in for another organisation the employee holds rights in.',
        'The token is kept in $XDG_CONFIG_HOME/digitalpost/login.json (or ~/.config/digitalpost/),',
        'readable by you only, until it expires (an hour on the simulator); log in again then.',
        `${ADMIN_ENV.token} set takes the place of the kept login.`,
        '',
        'Exit codes: 0 logged in, 1 refused or unreachable, 2 usage error.',
      ].join('\n'),
    )
    .action(async (flags: LoginFlags) => setExitCode(await login(flags, io)));
}
