/**
 * The suite's NgDP for the push and publish/subscribe recipient profiles: the simulator in-process
 * on loopback and its manual clock, with the suite's own sender system (an authority) and the
 * vendor's recipient system — the default recipient system of a company, on REST_PUSH or
 * REST_PUBLISH_SUBSCRIBE with the vendor's `--endpoint` — for the whole run. NgDP's own limits
 * apply (a MeMo up to 99.5 MB of content), and its push timeout is NgDP's 30 s.
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
import { ControlClient } from './control.ts';

/** The vendor's recipient system's id: fixed, so that logs of different runs read alike. */
export const VENDOR_RECIPIENT_ID = '50000000-0000-4000-8000-000000000002';
/** The suite's sender system, whose letters NgDP delivers to the vendor's system. */
export const SUITE_SENDER_ID = '50000000-0000-4000-8000-000000000003';
const AUTHORITY_ID = '10000000-0000-4000-8000-000000000001';
const COMPANY_ID = '10000000-0000-4000-8000-000000000004';

/** Who the suite's letters come from and go to. */
export const PARTIES = {
  sender: { cvr: '12345678', label: 'Testkommune' },
  /** The company whose default recipient system is the vendor's. */
  recipient: { cvr: '55667788', label: 'Modtagerfirma ApS' },
} as const;

/** NgDP's push timeout (docs/simulator.md, "Delivery retries"). */
export const PUSH_TIMEOUT_MS = 30_000;

export type ReceiverProtocol = 'REST_PUSH' | 'REST_PUBLISH_SUBSCRIBE';

/** The seed of the suite's NgDP for a recipient system reached by `protocol` at `endpoint`. */
export function receiverSeed(options: {
  protocol: ReceiverProtocol;
  endpoint: string;
  vendorSecret: string;
  senderSecret: string;
}): SeedData {
  return {
    organisations: [
      { id: AUTHORITY_ID, cvrNumber: PARTIES.sender.cvr, name: PARTIES.sender.label, type: 'AUTHORITY' },
      { id: COMPANY_ID, cvrNumber: PARTIES.recipient.cvr, name: PARTIES.recipient.label, type: 'COMPANY' },
    ],
    systems: [
      {
        id: SUITE_SENDER_ID,
        organisationId: AUTHORITY_ID,
        name: 'Suitens afsendersystem (conformance)',
        roles: ['SENDER'],
        protocol: 'REST_PULL',
        apiKeySecret: options.senderSecret,
      },
      {
        id: VENDOR_RECIPIENT_ID,
        organisationId: COMPANY_ID,
        name: 'Leverandørens modtagersystem (conformance)',
        roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
        protocol: options.protocol,
        apiKeySecret: options.vendorSecret,
        endpoint: options.endpoint,
      },
    ],
    contactPoints: [],
    citizens: [],
    companies: [
      {
        cvrNumber: PARTIES.recipient.cvr,
        name: PARTIES.recipient.label,
        publicRegistrationStatus: 'REGISTERED',
      },
    ],
  };
}

/** The running NgDP of a recipient run. */
export interface ReceiverNgdp {
  simulator: RunningSimulator;
  control: ControlClient;
  /** The vendor's recipient system. */
  systemId: string;
  apiKey: string;
  /** The suite's sender system, as a client (it sends the letters NgDP delivers). */
  sender: DigitalPostClient;
  random: SwitchableRandom;
}

/**
 * Starts the suite's NgDP for a recipient run.
 *
 * @throws ConformanceSetupError when it cannot start.
 */
export async function startReceiverNgdp(options: {
  seed: number;
  chaos: boolean;
  protocol: ReceiverProtocol;
  endpoint: string;
}): Promise<ReceiverNgdp> {
  const random = new SwitchableRandom(streamOf(options.seed, 'start'));
  const seed = receiverSeed({
    protocol: options.protocol,
    endpoint: options.endpoint,
    vendorSecret: randomUUID(),
    senderSecret: randomUUID(),
  });
  let simulator: RunningSimulator;
  try {
    simulator = await startSimulator({
      host: '127.0.0.1',
      port: 0,
      clock: 'manual',
      seed,
      chaos: options.chaos,
      random: random.next,
      pushTimeoutMs: PUSH_TIMEOUT_MS,
    });
  } catch (error) {
    const reason = error instanceof SimulatorConfigError ? error.message : String(error);
    throw new ConformanceSetupError(`the suite's NgDP (the simulator) could not start: ${reason}`, {
      cause: error,
    });
  }
  const keyOf = (id: string): string | undefined =>
    simulator.fixtures.systems.find((system) => system.id === id)?.apiKey;
  const vendorKey = keyOf(VENDOR_RECIPIENT_ID);
  const senderKey = keyOf(SUITE_SENDER_ID);
  if (vendorKey === undefined || senderKey === undefined) {
    await simulator.stop();
    throw new ConformanceSetupError("the suite's NgDP started without the vendor's system");
  }
  return {
    simulator,
    control: new ControlClient(simulator.controlUrl),
    systemId: VENDOR_RECIPIENT_ID,
    apiKey: vendorKey,
    sender: new DigitalPostClient({
      baseUrl: simulator.apiUrl,
      apiKey: senderKey,
      retry: { maxRetries: 10, initialDelayMs: 50, maxDelayMs: 500, maxRetryAfterMs: 1_000 },
    }),
    random,
  };
}
