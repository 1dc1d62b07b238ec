/**
 * Run with `--import ./hide-msw.ts`: uses digitalpost/testing's dispatcher where msw cannot be
 * resolved, and prints what happened as one JSON line.
 */
import { DigitalPostClient } from '../../sdk/index.ts';
import { createDigitalPostHandlers } from '../../testing/index.ts';

const outcome: Record<string, unknown> = {};
try {
  await import('msw');
  outcome.mswHidden = false;
} catch {
  outcome.mswHidden = true;
}
const ngdp = await createDigitalPostHandlers();
try {
  const apiKey = ngdp.fixtures.systems.find((system) => system.roles.includes('SENDER'))?.apiKey ?? '';
  const client = new DigitalPostClient({ environment: 'test', apiKey, dispatcher: ngdp.dispatcher() });
  const contact = await client.contacts.lookup({ cpr: '0101700001' });
  outcome.registration = contact.mailboxSubscription?.publicRegistrationStatus;
  try {
    void ngdp.handlers;
  } catch (error) {
    outcome.handlers = { code: (error as { code?: unknown }).code, message: (error as Error).message };
  }
} finally {
  await ngdp.close();
}
process.stdout.write(`${JSON.stringify(outcome)}\n`);
