/**
 * Property-based fuzzing of the query and path parameters of NgDP's API (`/apis/v1`, issue 11):
 * paging (`page`, `size`, forged `next` cursors), searches (`cprNumber`, `dateFrom`, `eventTag`, …)
 * and ids in paths, with the parameters repeated, left empty, badly escaped or out of range. The
 * simulator answers below 500, every refusal is NgDP's `ErrorMessage`, and nothing reaches its log
 * as an internal error. The store holds messages and receipts, so that pages have something in them.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import { expectCleanAnswer, FUZZ_TIMEOUT_MS, fuzzRuns } from '../support/fuzz.ts';
import { call, keyOf, letterTo, SEED_IDS, sendMemo, startTestSimulator } from '../support/simulator.ts';

const base64 = (text: string): string => Buffer.from(text).toString('base64');

/** Values that mean something to some parameter, or have broken one. */
const MEANINGFUL = [
  '',
  '0',
  '1',
  '-1',
  '20',
  '1000',
  '1001',
  '1000000',
  '1000001',
  '1e3',
  '1.5',
  ' 1',
  '0x10',
  '999999999999999999999999',
  'true',
  'false',
  '0101700001',
  '0101700001,0101700002',
  '12345678',
  '2025-03-10',
  '2025-03-10T10:00:00Z',
  '2025-03-10T10:00:00+02:00',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  'MEMO_SEND_RECEIVED',
  ...Object.values(SEED_IDS),
  base64('page:0:0'),
  base64('page:0:100000000000000000000'),
  base64('page:1000000:1000'),
  base64('page:1:20'),
  base64('page:-1:20'),
  base64(`[ ${'9'.repeat(40)}, "x" ]`),
  base64('[ 1, "x" ]'),
  base64('[ -1, "x" ]'),
  'not base64 !!',
];

const value = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...MEANINGFUL) },
  { weight: 2, arbitrary: fc.string() },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.string().map(base64) },
  { weight: 1, arbitrary: fc.string({ minLength: 1000, maxLength: 3000 }) },
);

const PARAMETERS = [
  'page',
  'size',
  'next',
  'id',
  'cprNumber',
  'cvrNumber',
  'dateFrom',
  'dateTo',
  'eventTag',
  'senderOrRecipientSystem',
  'senderOrRecipient',
  'searchTerm',
  'searchTermOrName',
  'delete',
  'memo-message-uuid',
];

/** A query string: known and unknown names, repeated, some values left badly escaped. */
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...PARAMETERS) },
        { weight: 1, arbitrary: fc.string() },
      ),
      value,
      fc.boolean(),
    ),
    { maxLength: 6 },
  )
  .map(
    (pairs) =>
      `?${pairs
        .map(
          ([name, text, raw]) =>
            `${encodeURIComponent(name)}=${raw ? text.replace(/[#&\s]/g, '') : encodeURIComponent(text)}`,
        )
        .join('&')}`,
  );

/** A path segment: an id the store has, another one, or anything, sometimes badly escaped. */
const segment = fc.oneof(
  fc.constantFrom(...Object.values(SEED_IDS), '%', '%zz', '..', '%2e%2e', '%00'),
  fc.uuid(),
  fc.string().map(encodeURIComponent),
);

describe("NgDP's API under fuzzed query and path parameters", () => {
  let simulator: RunningSimulator;
  let sender: string;
  let recipient: string;
  const internalErrors: string[] = [];

  beforeAll(async () => {
    simulator = await startTestSimulator({
      clockStart: '2025-03-10T10:00:00Z',
      log: (line) => {
        if (line.startsWith('internal error')) internalErrors.push(line);
      },
    });
    sender = keyOf(simulator, SEED_IDS.senderPull);
    recipient = keyOf(simulator, SEED_IDS.companyRecipient);
    for (const to of [{ cpr: '0101700001' }, { cvr: '87654321' }, { cpr: '0101700003' }] as const) {
      for (let n = 0; n < 3; n++) await sendMemo(simulator, sender, await letterTo(to));
    }
    await simulator.settle();
  });
  afterAll(() => simulator.stop());

  const LISTS: ReadonlyArray<{ path: string; key: () => string }> = [
    { path: '/receipts/', key: () => sender },
    { path: '/receipts-bulk/', key: () => sender },
    { path: '/memos/', key: () => recipient },
    { path: '/contacts/', key: () => sender },
    { path: '/contact-points/', key: () => sender },
    { path: '/events/', key: () => sender },
  ];

  for (const list of LISTS) {
    it(
      `GET ${list.path} with any query: never a 5xx, refusals as ErrorMessage`,
      async () => {
        await fc.assert(
          fc.asyncProperty(query, async (search) => {
            const url = `${simulator.apiUrl}${list.path}${search}`;
            expectCleanAnswer(
              await call(url, { apiKey: list.key() }),
              `GET ${list.path}${search.slice(0, 300)}`,
            );
            if (internalErrors.length > 0) throw new Error(`${search}: ${internalErrors.join('\n')}`);
          }),
          { numRuns: fuzzRuns(80) },
        );
      },
      FUZZ_TIMEOUT_MS,
    );
  }

  it(
    'reads and removes by any id in the path: never a 5xx, refusals as ErrorMessage',
    async () => {
      const calls = [
        { method: 'GET', path: (id: string) => `/memos/${id}`, key: () => recipient },
        { method: 'GET', path: (id: string) => `/receipts/${id}`, key: () => sender },
        { method: 'DELETE', path: (id: string) => `/receipts/${id}`, key: () => sender },
        { method: 'DELETE', path: (id: string) => `/memos/${id}`, key: () => sender },
        { method: 'GET', path: (id: string) => `/contacts/${id}`, key: () => sender },
      ];
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...calls), segment, query, async (target, id, search) => {
          const path = `${target.path(id)}${search}`;
          const answer = await call(`${simulator.apiUrl}${path}`, {
            method: target.method,
            apiKey: target.key(),
          });
          expectCleanAnswer(answer, `${target.method} ${path.slice(0, 300)}`);
          if (internalErrors.length > 0) throw new Error(`${path}: ${internalErrors.join('\n')}`);
        }),
        { numRuns: fuzzRuns(150) },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
