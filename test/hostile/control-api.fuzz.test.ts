/**
 * Property-based fuzzing of the control API's bodies (issue 11): whatever JSON — or not JSON — a
 * route is sent, the simulator answers below 500, every refusal is NgDP's `ErrorMessage`, and
 * nothing reaches its log as an internal error. The bodies are built from each route's own field
 * names and from values that have hurt before (out-of-range durations and dates, huge numbers,
 * deep nesting, prototype keys), so that most runs get past the first check.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { expectCleanAnswer, FUZZ_TIMEOUT_MS, fuzzRuns } from '../support/fuzz.ts';
import { call, SEED_IDS, startTestSimulator } from '../support/simulator.ts';

/** Texts that mean something to some route, or have broken one. */
const MEANINGFUL = [
  '',
  ' ',
  'PT1H',
  'P2D',
  'PT0.001S',
  'P99999999999D',
  `PT${'9'.repeat(30)}S`,
  'P-1D',
  '2025-06-02T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '1969-12-31T23:59:59Z',
  'not a date',
  '0101700001',
  '0101800001',
  '12345678',
  '22334455',
  'REGISTERED',
  'EXEMPT',
  'AUTOMATIC_REGISTRATION',
  'SENDER',
  'RECIPIENT_DEFAULT',
  'REST_PUSH',
  'REST_PULL',
  'SFTP',
  'http://127.0.0.1:1/push',
  'https://example.invalid/x',
  'javascript:alert(1)',
  '127.0.0.1',
  '10.0.0.0/8',
  '::1/128',
  '0.0.0.0/0',
  'POST /memos/',
  'GET /receipts/',
  'PUSH memo',
  'SFTP RENAME',
  'DISCONNECT_AFTER',
  'BEFORE',
  'AFTER',
  'PHN0cmluZz4=',
  '__proto__',
  'constructor',
  'ssh-ed25519 QUFBQQ==',
  '20000000',
  ...Object.values(SEED_IDS),
];

const text = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...MEANINGFUL) },
  { weight: 2, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 50 }) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.string({ minLength: 2000, maxLength: 5000 }) },
);

const number = fc.oneof(
  fc.integer(),
  fc.constantFrom(
    0,
    -1,
    1,
    100,
    101,
    199,
    204,
    302,
    418,
    503,
    599,
    600,
    600_000,
    2 ** 31,
    2 ** 53,
    1e20,
    1e308,
    -1e308,
    0.5,
  ),
  fc.double({ noNaN: true }),
);

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    number,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
}));

/** A body for a route with these fields: mostly objects of its fields, sometimes anything at all. */
function bodyFor(fields: readonly string[]): fc.Arbitrary<string> {
  const key = fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: text });
  const deep = fc.integer({ min: 60, max: 5000 }).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`);
  return fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .dictionary(key, value, { maxKeys: fields.length + 2 })
        .map((body) => JSON.stringify(body)),
    },
    { weight: 1, arbitrary: value.map((body) => JSON.stringify(body) ?? 'null') },
    { weight: 1, arbitrary: fc.string() },
    { weight: 1, arbitrary: deep },
  );
}

const SYSTEM_FIELDS = [
  'organisationId',
  'name',
  'roles',
  'protocol',
  'endpoint',
  'receiptEndpoint',
  'activeFrom',
  'activeTo',
  'allowedIps',
  'sshUsername',
  'deactivated',
];
const IDENTITY_FIELDS = ['name', 'publicRegistrationStatus', 'registrationStatus', 'nemSmsMobileNumber'];

/** Every control route that reads a body: method, path (some with a seeded or a random id), fields. */
const ROUTES: ReadonlyArray<{
  name: string;
  method: string;
  path: fc.Arbitrary<string>;
  fields: readonly string[];
}> = [
  { name: 'POST /clock/advance', method: 'POST', path: fc.constant('/clock/advance'), fields: ['by'] },
  { name: 'POST /clock/set', method: 'POST', path: fc.constant('/clock/set'), fields: ['to'] },
  {
    name: 'POST /faults',
    method: 'POST',
    path: fc.constant('/faults'),
    fields: [
      'operation',
      'systemId',
      'status',
      'retryAfter',
      'drop',
      'sftp',
      'delayMs',
      'probability',
      'times',
      'after',
    ],
  },
  {
    name: 'POST /messages',
    method: 'POST',
    path: fc.constant('/messages'),
    fields: ['memo', 'messageUUID', 'senderSystemId', 'recipientSystemId'],
  },
  {
    name: 'POST /messages/{id}/redeliver',
    method: 'POST',
    path: fc
      .oneof(fc.uuid(), fc.string())
      .chain((id) =>
        fc.constantFrom(
          `/messages/${encodeURIComponent(id)}/redeliver`,
          `/messages/${encodeURIComponent(id)}/receipt/redeliver`,
        ),
      ),
    fields: [],
  },
  { name: 'POST /systems', method: 'POST', path: fc.constant('/systems'), fields: SYSTEM_FIELDS },
  {
    name: 'PATCH /systems/{id}',
    method: 'PATCH',
    path: fc
      .oneof(fc.constantFrom(...Object.values(SEED_IDS)), fc.string())
      .map((id) => `/systems/${encodeURIComponent(id)}`),
    fields: SYSTEM_FIELDS,
  },
  {
    name: 'POST /contact-points',
    method: 'POST',
    path: fc.constant('/contact-points'),
    fields: ['organisationId', 'name', 'systemId', 'active'],
  },
  {
    name: 'PATCH /contact-points/{id}',
    method: 'PATCH',
    path: fc.constantFrom(`/contact-points/${SEED_IDS.contactPoint}`, '/contact-points/nope'),
    fields: ['name', 'systemId', 'active'],
  },
  {
    name: 'POST /citizens',
    method: 'POST',
    path: fc.constant('/citizens'),
    fields: ['cprNumber', ...IDENTITY_FIELDS],
  },
  {
    name: 'POST /companies',
    method: 'POST',
    path: fc.constant('/companies'),
    fields: ['cvrNumber', ...IDENTITY_FIELDS],
  },
  { name: 'POST /reset', method: 'POST', path: fc.constant('/reset'), fields: [] },
];

describe('the control API under fuzzed bodies', () => {
  let simulator: RunningSimulator;
  const internalErrors: string[] = [];

  beforeAll(async () => {
    simulator = await startTestSimulator({
      log: (line) => {
        if (line.startsWith('internal error')) internalErrors.push(line);
      },
    });
  });
  afterAll(() => simulator.stop());

  for (const route of ROUTES) {
    it(
      `${route.name}: never a 5xx, refusals as ErrorMessage`,
      async () => {
        await fc.assert(
          fc.asyncProperty(
            route.path,
            bodyFor(route.fields.length > 0 ? route.fields : ['x']),
            async (path, body) => {
              const sent = `${route.method} ${path} ${body.slice(0, 300)}`;
              const answer = await call(`${simulator.controlUrl}${path}`, {
                method: route.method,
                contentType: 'application/json',
                body,
              });
              expectCleanAnswer(answer, sent);
              if (internalErrors.length > 0) throw new Error(`${sent}: ${internalErrors.join('\n')}`);
            },
          ),
          { numRuns: fuzzRuns(60) },
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  }

  it(
    'PUT /systems/{id}/ssh-key with any text and any content type: never a 5xx',
    async () => {
      const body = fc.oneof(
        fc.string(),
        fc.constantFrom('ssh-ed25519 QUFBQQ==', 'ssh-rsa AAAA', '{"publicKey":1}', '{"publicKey":"x"}', '{'),
        value.map((json) => JSON.stringify({ publicKey: json }) ?? ''),
      );
      const type = fc.constantFrom(
        'text/plain',
        'application/json',
        'application/x-www-form-urlencoded',
        undefined,
      );
      await fc.assert(
        fc.asyncProperty(body, type, async (text, contentType) => {
          const answer = await call(`${simulator.controlUrl}/systems/${SEED_IDS.senderSftp}/ssh-key`, {
            method: 'PUT',
            body: text,
            ...(contentType === undefined ? {} : { contentType }),
          });
          expectCleanAnswer(answer, `PUT ssh-key (${contentType}) ${text.slice(0, 300)}`);
          if (internalErrors.length > 0) throw new Error(internalErrors.join('\n'));
        }),
        { numRuns: fuzzRuns(60) },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'GET /mailboxes/{owner}/messages and /messages/{id} with any path segment: never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(fc.string(), fc.constantFrom('0101700001', '12345678', '%', '..', '%00')),
          async (segment) => {
            for (const path of [
              `/mailboxes/${encodeURIComponent(segment)}/messages`,
              `/messages/${encodeURIComponent(segment)}`,
              `/messages/${encodeURIComponent(segment)}/memo`,
            ]) {
              expectCleanAnswer(await call(`${simulator.controlUrl}${path}`), `GET ${path}`);
            }
            if (internalErrors.length > 0) throw new Error(internalErrors.join('\n'));
          },
        ),
        { numRuns: fuzzRuns(40) },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
