/** `digitalpost contacts lookup` against a real simulator and its seeded identities. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { keyOf, SEED_IDS, startTestSimulator } from '../../test/support/simulator.ts';
import { jsonLines, lines, run } from '../test-support.ts';

let simulator: RunningSimulator;
let env: Record<string, string>;

beforeAll(async () => {
  simulator = await startTestSimulator();
  env = {
    DIGITALPOST_BASE_URL: simulator.apiUrl,
    DIGITALPOST_API_KEY: keyOf(simulator, SEED_IDS.senderPull),
  };
});
afterAll(() => simulator.stop());

describe('digitalpost contacts lookup', () => {
  it('prints the registration of each number and whether Digital Post can be delivered', async () => {
    const result = await run(
      [
        'contacts',
        'lookup',
        '0101700001',
        '0101700002',
        '0101700004',
        '0101700005',
        '11223344',
        '0101709999',
      ],
      env,
    );

    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout).map((line) => line.split(/\s{2,}/))).toEqual([
      ['0101700001', 'REGISTERED', 'AUTOMATIC_REGISTRATION', 'Digital Post: yes', 'NemSMS: no'],
      ['0101700002', 'EXEMPT', 'EXEMPT_OTHER_REASON', 'Digital Post: no', 'NemSMS: no'],
      ['0101700004', 'REGISTERED', 'UNCONFIRMED_REGISTRATION', 'Digital Post: no', 'NemSMS: no'],
      ['0101700005', 'REGISTERED', 'AUTOMATIC_REGISTRATION', 'Digital Post: yes', 'NemSMS: yes'],
      ['11223344', 'REGISTERED', expect.any(String), 'Digital Post: yes', 'NemSMS: no'],
      ['0101709999', 'UNKNOWN', 'UNKNOWN', 'Digital Post: no', 'NemSMS: no'],
    ]);
  });

  it('accepts a CPR number written DDMMYY-SSSS', async () => {
    const result = await run(['contacts', 'lookup', '010170-0001'], env);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^0101700001 {2}REGISTERED /);
  });

  it('prints one JSON object per number with --json', async () => {
    const result = await run(['contacts', 'lookup', '--json', '0101700003', '87654321'], env);

    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      {
        number: '0101700003',
        type: 'CPR',
        publicRegistrationStatus: 'CLOSED',
        registrationStatus: 'UNKNOWN',
        canReceiveDigitalPost: false,
        nemSms: false,
        contact: expect.objectContaining({ cprNumber: '0101700003', type: 'CITIZEN' }),
      },
      expect.objectContaining({ number: '87654321', type: 'CVR', canReceiveDigitalPost: true }),
    ]);
  });

  it('rejects a malformed number with one line and exit 2, before calling NgDP', async () => {
    const result = await run(['contacts', 'lookup', '0101700001', '01017'], {
      ...env,
      DIGITALPOST_BASE_URL: 'http://127.0.0.1:1/apis/v1',
    });

    expect(result).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'digitalpost: "01017" is neither a CPR number (10 digits, DDMMYYSSSS) nor a CVR number (8 digits)\n',
    });
  });
});
