/**
 * The suite's NgDP: the simulator started in-process on loopback, on its manual clock, with a seed
 * holding the vendor's system (the same id and API key for the whole run), the recipients the
 * scenarios write to, chaos as asked, and its randomness drawn from the run's seed.
 */
import { randomUUID } from 'node:crypto';
import { ConformanceSetupError } from '../../sdk/errors.ts';
import {
  type RunningSimulator,
  type SeedData,
  SimulatorConfigError,
  startSimulator,
} from '../../simulator/index.ts';
import { SwitchableRandom, streamOf } from '../prng.ts';
import { ControlClient } from './control.ts';

/** The vendor's system's id: fixed, so that logs of different runs read alike. */
export const VENDOR_SYSTEM_ID = '50000000-0000-4000-8000-000000000001';
const AUTHORITY_ID = '10000000-0000-4000-8000-000000000001';
const COMPANY_ID = '10000000-0000-4000-8000-000000000003';

/**
 * The largest content (all files, decoded) the suite's NgDP takes in one letter. NgDP's own limit is
 * 99.5 MB (memo.md R12); the suite's is lower so that a letter valid by the public rules can meet an
 * INVALID business receipt (docs/differences.md, "The conformance suite").
 */
export const SUITE_MAX_CONTENT_BYTES = 1024 * 1024;

const HOUR = 3_600_000;

/** The vendor's SFTP user at the suite's NgDP (sender-sftp), and the keys it may log in with. */
export interface SuiteSftpUser {
  username: string;
  /** OpenSSH public key lines: the vendor's, and the suite's own (it looks into the home after a scenario). */
  publicKeys: string[];
}

/** The vendor's SFTP user name at the suite's NgDP. */
export const VENDOR_SFTP_USER = 'leverandoer';

/**
 * The seed of the suite's NgDP for a sender system whose receipts come by `receipts` — or, with
 * `sftp`, a system that mass-sends over SFTP and finds its receipts there.
 */
export function senderSeed(options: {
  apiKeySecret: string;
  receipts: 'pull' | 'push';
  receiptEndpoint?: string;
  sftp?: SuiteSftpUser;
}): SeedData {
  const citizen = (cprNumber: string, name: string, extra: Partial<SeedData['citizens'][number]> = {}) => ({
    cprNumber,
    name,
    publicRegistrationStatus: 'REGISTERED' as const,
    registrationStatus: 'AUTOMATIC_REGISTRATION' as const,
    ...extra,
  });
  return {
    organisations: [
      {
        id: AUTHORITY_ID,
        cvrNumber: '12345678',
        name: 'Testkommune',
        type: 'AUTHORITY',
        mandatoryPostAllowed: true,
        legalNotificationAllowed: true,
      },
      { id: COMPANY_ID, cvrNumber: '11223344', name: 'Testbutik ApS', type: 'COMPANY' },
    ],
    systems: [
      {
        id: VENDOR_SYSTEM_ID,
        organisationId: AUTHORITY_ID,
        name: 'Leverandørens afsendersystem (conformance)',
        roles: ['SENDER'],
        protocol:
          options.sftp !== undefined ? 'SFTP' : options.receipts === 'push' ? 'REST_PUSH' : 'REST_PULL',
        apiKeySecret: options.apiKeySecret,
        ...(options.sftp === undefined
          ? {}
          : { sshUsername: options.sftp.username, sshPublicKeys: options.sftp.publicKeys }),
        ...(options.receiptEndpoint === undefined ? {} : { receiptEndpoint: options.receiptEndpoint }),
      },
    ],
    contactPoints: [],
    citizens: [
      citizen('0101700001', 'Registreret Borger'),
      citizen('0101700002', 'Fritaget Borger', { publicRegistrationStatus: 'EXEMPT' }),
      citizen('0101700003', 'Lukket Borger', { publicRegistrationStatus: 'CLOSED' }),
      citizen('0101700004', 'Ubekræftet Borger', { registrationStatus: 'UNCONFIRMED_REGISTRATION' }),
      citizen('0101700005', 'NemSMS Borger', { nemSmsMobileNumber: '20000005' }),
      citizen('0101700006', 'Langsom Postkasse', { receiptDelayMs: HOUR }),
      citizen('0101700007', 'Meget Langsom Postkasse', { receiptDelayMs: 6 * HOUR }),
    ],
    companies: [{ cvrNumber: '11223344', name: 'Testbutik ApS', publicRegistrationStatus: 'REGISTERED' }],
  };
}

/** The running NgDP of a run. */
export interface SuiteNgdp {
  simulator: RunningSimulator;
  control: ControlClient;
  systemId: string;
  apiKey: string;
  /** Where the simulator's chaos draws from: pointed at each scenario's stream. */
  random: SwitchableRandom;
}

/**
 * Starts the suite's NgDP.
 *
 * @throws ConformanceSetupError when it cannot start.
 */
export async function startSuiteNgdp(options: {
  seed: number;
  chaos: boolean;
  receipts: 'pull' | 'push';
  receiptEndpoint?: string;
  /** Run the SFTP server, with this user for the vendor's system. */
  sftp?: SuiteSftpUser;
}): Promise<SuiteNgdp> {
  const random = new SwitchableRandom(streamOf(options.seed, 'start'));
  const seed = senderSeed({
    apiKeySecret: randomUUID(),
    receipts: options.receipts,
    ...(options.receiptEndpoint === undefined ? {} : { receiptEndpoint: options.receiptEndpoint }),
    ...(options.sftp === undefined ? {} : { sftp: options.sftp }),
  });
  let simulator: RunningSimulator;
  try {
    simulator = await startSimulator({
      host: '127.0.0.1',
      port: 0,
      clock: 'manual',
      seed,
      // Like NgDP (presumably), so that a system's one mistake (an API key in the query string, a
      // parameter of its own) fails its check, not every call it makes.
      undeclaredParameters: 'ignore',
      chaos: options.chaos,
      random: random.next,
      validation: { maxTotalContentBytes: SUITE_MAX_CONTENT_BYTES },
      ...(options.sftp === undefined ? {} : { sftpPort: 0 }),
    });
  } catch (error) {
    const reason = error instanceof SimulatorConfigError ? error.message : String(error);
    throw new ConformanceSetupError(`the suite's NgDP (the simulator) could not start: ${reason}`, {
      cause: error,
    });
  }
  const system = simulator.fixtures.systems.find((candidate) => candidate.id === VENDOR_SYSTEM_ID);
  if (system === undefined) {
    await simulator.stop();
    throw new ConformanceSetupError("the suite's NgDP started without the vendor's system");
  }
  return {
    simulator,
    control: new ControlClient(simulator.controlUrl),
    systemId: system.id,
    apiKey: system.apiKey,
    random,
  };
}
