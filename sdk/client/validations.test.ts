/**
 * `client.validations.html` against a running simulator over real HTTP (which refuses a body
 * without Content-Length): NgDP's verdict on a letter's HTML under each policy, the findings, and
 * what the client refuses locally.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { type LoggedClient, loggedClient } from '../../test/support/client.ts';
import { keyOf, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { BadRequestError, InvalidOptionsError, PermissionDeniedError } from '../errors.ts';

const HTML =
  '<!DOCTYPE html><html><head><title>Brev</title></head><body><p>Hej</p><img src="https://cdn.example/logo.png"></body></html>';

let simulator: RunningSimulator;
let logged: LoggedClient;

beforeAll(async () => {
  simulator = await startTestSimulator();
  logged = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.senderPull));
});
afterAll(() => simulator.stop());

describe('client.validations.html', () => {
  test('resolves to the verdict: approved under LENIENT, with the finding STRICT would reject', async () => {
    const verdict = await logged.client.validations.html(HTML, { fileName: 'brev.html' });

    expect(verdict).toMatchObject({
      approved: true,
      code: 'APPROVED',
      findings: [
        { resource: 'brev.html', code: 'EXTERNAL_RESOURCE', rejectedValue: 'https://cdn.example/logo.png' },
      ],
    });
  });

  test('a rejection is a verdict too, not an error', async () => {
    const verdict = await logged.client.validations.html(Buffer.from(HTML), { policy: 'STRICT' });

    expect(verdict).toMatchObject({
      approved: false,
      code: 'REJECTED',
      message: expect.stringMatching(/STRICT/),
    });
  });

  test('refuses a policy other than STRICT or LENIENT, and empty HTML, without a request', async () => {
    const before = logged.events.length;
    await expect(
      logged.client.validations.html(HTML, { policy: 'strict' as 'STRICT' }),
    ).rejects.toBeInstanceOf(InvalidOptionsError);
    await expect(logged.client.validations.html('')).rejects.toBeInstanceOf(InvalidOptionsError);
    expect(logged.events).toHaveLength(before);
  });

  test("surfaces NgDP's refusals as errors: a recipient system is refused 403", async () => {
    const recipient = loggedClient(simulator.apiUrl, keyOf(simulator, SEED_IDS.companyRecipient));
    await expect(recipient.client.validations.html(HTML)).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  test('a request NgDP cannot validate is a BadRequestError with its fieldErrors', async () => {
    const error = await logged.client.validations
      .html('{"resource": "***"}')
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).fieldErrors).toMatchObject([{ field: 'resource' }]);
  });
});
