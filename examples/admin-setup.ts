/**
 * Set up an organisation for testing with the admin client: log in as its test employee, make a
 * test citizen and a colleague with a right, connect a sender system and renew its API key — what a
 * vendor scripts instead of clicking through Administrativ Adgang and the test portal.
 *
 * `AdminClient.login` gives a client with the employee's bearer token; the resources are
 * namespaces (`admin.systems`, `admin.portal`), lists are `for await` iterators, and a refusal is
 * an error class by status (`PermissionDeniedError` for a right the employee lacks, `ConflictError`
 * for a stale version …).
 *
 * Run it:
 *
 *   npm run build && node examples/admin-setup.ts
 *
 * starts a local simulator and logs in as Testkommune's seeded employee (admin-12345678). Against
 * your own simulator set DIGITALPOST_BASE_URL, DIGITALPOST_USERNAME and DIGITALPOST_PASSWORD.
 */
import { AdminClient, PermissionDeniedError, testCprNumber } from 'digitalpost/admin';
import { withLocalSimulator } from './environment.ts';

export interface AdminSetupOptions {
  /** NgDP's API base URL (…/apis/v1). */
  baseUrl: string;
  username: string;
  password: string;
}

export interface AdminSetup {
  organisationId: string;
  citizen: string;
  colleague: string;
  /** Whether the colleague (contact administrator only) was refused the systems. */
  colleagueRefused: boolean;
  systemId: string;
  /** The system's names, as the organisation's list shows them. */
  systems: string[];
  keyRenewed: boolean;
}

export async function main(options: AdminSetupOptions): Promise<AdminSetup> {
  const admin = await AdminClient.login(
    { baseUrl: options.baseUrl },
    { username: options.username, password: options.password },
  );
  const [context] = await admin.portal.contexts();
  if (context === undefined) throw new Error(`${options.username} acts for no organisation`);
  const organisationId = context.organisationId;
  console.log(`logged in as ${options.username} for ${context.name} (${context.cvrNumber})`);

  const citizen = await admin.portal.createCitizen(testCprNumber(), { name: 'Test Testesen' });
  const colleague = await admin.portal.createEmployee({
    username: `kontakt-${Date.now().toString(36)}`,
    password: 'hemmelig-kode-1',
    rights: ['CONTACT_ADMINISTRATOR'],
  });
  const asColleague = await AdminClient.login(
    { baseUrl: options.baseUrl },
    { username: colleague.username, password: 'hemmelig-kode-1' },
  );
  let colleagueRefused = false;
  try {
    await asColleague.systems.list(organisationId).next();
  } catch (error) {
    if (!(error instanceof PermissionDeniedError)) throw error;
    colleagueRefused = true;
    console.log(`${colleague.username} may not see the systems: ${error.code}`);
  }

  const system = await admin.systems.create(organisationId, {
    name: 'Sagssystem',
    systemTypes: ['SENDER'],
    serviceProtocol: 'REST_PULL',
    allowedIps: [{ ip: '127.0.0.1', range: false }],
    activeFrom: '2020-01-01T00:00:00Z',
    technicalContact: { name: 'IT-drift', email: 'drift@example.dk', phoneNumber: '70000000' },
  });
  const systemId = system.id as string;
  const renewed = await admin.systems.renewApiKey(organisationId, systemId);
  const systems: string[] = [];
  for await (const each of admin.systems.list(organisationId)) systems.push(each.name ?? '');
  console.log(`${systems.length} systems; ${system.name} has a new API key`);

  return {
    organisationId,
    citizen: citizen.cprNumber ?? '',
    colleague: colleague.username,
    colleagueRefused,
    systemId,
    systems,
    keyRenewed: renewed.apiToken?.authenticationToken !== system.apiToken?.authenticationToken,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const {
    DIGITALPOST_BASE_URL: baseUrl,
    DIGITALPOST_USERNAME: username,
    DIGITALPOST_PASSWORD: password,
  } = process.env;
  const result =
    baseUrl && username && password
      ? await main({ baseUrl, username, password })
      : await withLocalSimulator((simulator) =>
          main({ baseUrl: simulator.apiUrl, username: 'admin-12345678', password: 'test-12345678' }),
        );
  console.log(JSON.stringify(result, null, 2));
}
