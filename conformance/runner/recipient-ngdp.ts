/**
 * The suite's NgDP for the recipient profiles: the simulator in-process on loopback, on its manual
 * clock, seeded with the vendor's recipient system (the default recipient system of a company, by
 * PULL, PUSH or publish/subscribe) and the suite's own sender system — an authority whose letters
 * to the company NgDP routes to the vendor's system. One state for the whole run: scenarios add
 * MeMos to it. Chaos here is random page sizes; NgDP's 503s on sends would only trouble the suite's
 * own sender, so the suite scripts its pressure on the vendor's calls with fault rules instead.
 */
import { randomUUID } from 'node:crypto';
import { DigitalPostClient } from '../../sdk/client/client.ts';
import { ConformanceSetupError } from '../../sdk/errors.ts';
import {
  type RunningSimulator,
  type SeedData,
  SimulatorConfigError,
  startSimulator,
} from '../../simulator/index.ts';
import { SwitchableRandom, streamOf } from '../prng.ts';
import { RECIPIENT_PARTIES } from '../scenarios/recipient-memos.ts';
import { ControlClient } from './control.ts';
import { VENDOR_SYSTEM_ID } from './ngdp.ts';

/** The suite's own sender system: it sends the valid MeMos the scenarios put in the queue. */
export const SUITE_SENDER_SYSTEM_ID = '50000000-0000-4000-8000-000000000002';
const AUTHORITY_ID = '10000000-0000-4000-8000-000000000001';
const COMPANY_ID = '10000000-0000-4000-8000-000000000002';

/** How the vendor's recipient system gets its MeMos. */
export type RecipientProtocol = 'REST_PULL' | 'REST_PUSH' | 'REST_PUBLISH_SUBSCRIBE';

export interface RecipientSeedOptions {
  protocol: RecipientProtocol;
  vendorSecret: string;
  suiteSecret: string;
  /** REST_PUSH / REST_PUBLISH_SUBSCRIBE: where NgDP pushes (the vendor's `--endpoint`). */
  endpoint?: string;
}

/** The seed of the suite's NgDP for a recipient run. */
export function recipientSeed(options: RecipientSeedOptions): SeedData {
  return {
    organisations: [
      {
        id: AUTHORITY_ID,
        cvrNumber: RECIPIENT_PARTIES.sender.cvr,
        name: RECIPIENT_PARTIES.sender.label,
        type: 'AUTHORITY',
        mandatoryPostAllowed: true,
        legalNotificationAllowed: true,
      },
      {
        id: COMPANY_ID,
        cvrNumber: RECIPIENT_PARTIES.recipient.cvr,
        name: RECIPIENT_PARTIES.recipient.label,
        type: 'COMPANY',
      },
    ],
    systems: [
      {
        id: VENDOR_SYSTEM_ID,
        organisationId: COMPANY_ID,
        name: 'Leverandørens modtagersystem (conformance)',
        roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
        protocol: options.protocol,
        apiKeySecret: options.vendorSecret,
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      },
      {
        id: SUITE_SENDER_SYSTEM_ID,
        organisationId: AUTHORITY_ID,
        name: 'Testsuitens afsendersystem (conformance)',
        roles: ['SENDER'],
        protocol: 'REST_PULL',
        apiKeySecret: options.suiteSecret,
      },
    ],
    contactPoints: [],
    citizens: [],
    companies: [
      {
        cvrNumber: RECIPIENT_PARTIES.recipient.cvr,
        name: RECIPIENT_PARTIES.recipient.label,
        publicRegistrationStatus: 'REGISTERED',
      },
    ],
  };
}

/** The running NgDP of a recipient run. */
export interface RecipientNgdp {
  simulator: RunningSimulator;
  control: ControlClient;
  /** The vendor's recipient system. */
  systemId: string;
  apiKey: string;
  /** The suite's sender system, as a client. */
  sender: DigitalPostClient;
  /** Where fault probabilities draw from: pointed at each scenario's stream. */
  random: SwitchableRandom;
}

/**
 * Starts the suite's NgDP for a recipient run.
 *
 * @throws ConformanceSetupError when it cannot start.
 */
export async function startRecipientNgdp(options: {
  seed: number;
  chaos: boolean;
  protocol: RecipientProtocol;
  endpoint?: string;
}): Promise<RecipientNgdp> {
  const random = new SwitchableRandom(streamOf(options.seed, 'start'));
  const seed = recipientSeed({
    protocol: options.protocol,
    vendorSecret: randomUUID(),
    suiteSecret: randomUUID(),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
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
      chaos: options.chaos ? { randomPageSizes: true } : false,
      random: random.next,
    });
  } catch (error) {
    const reason = error instanceof SimulatorConfigError ? error.message : String(error);
    throw new ConformanceSetupError(`the suite's NgDP (the simulator) could not start: ${reason}`, {
      cause: error,
    });
  }
  const keyOf = (id: string): string | undefined =>
    simulator.fixtures.systems.find((system) => system.id === id)?.apiKey;
  const vendorKey = keyOf(VENDOR_SYSTEM_ID);
  const senderKey = keyOf(SUITE_SENDER_SYSTEM_ID);
  if (vendorKey === undefined || senderKey === undefined) {
    await simulator.stop();
    throw new ConformanceSetupError("the suite's NgDP started without the vendor's or the suite's system");
  }
  return {
    simulator,
    control: new ControlClient(simulator.controlUrl),
    systemId: VENDOR_SYSTEM_ID,
    apiKey: vendorKey,
    sender: new DigitalPostClient({ baseUrl: simulator.apiUrl, apiKey: senderKey }),
    random,
  };
}
