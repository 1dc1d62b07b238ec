/**
 * The contract test itself (test/support/contract.ts, run on every answer by contract-setup.ts):
 * it names what an answer of `/apis/v1` breaks, and lets through what differences.md declares.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_RESPONSES_CHANNEL,
  type ApiResponseMessage,
  publishApiResponses,
} from '../simulator/http/api-responses.ts';
import {
  ContractChecker,
  FIELDS_HEADING,
  loadContractChecker,
  OPENAPI_SPEC,
  type OpenApi,
  readDeclaredDifferences,
  STATUSES_HEADING,
} from './support/contract.ts';
import { contractListener, takeContractProblems } from './support/contract-setup.ts';
import { describeWith } from './support/requirements.ts';
import { sharedPath } from './support/shared.ts';

const answer = (fields: Partial<ApiResponseMessage>): ApiResponseMessage => ({
  method: 'GET',
  path: '/contacts/2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87',
  status: 200,
  contentType: 'application/json',
  json: {},
  hasJson: true,
  fault: null,
  projected: false,
  ...fields,
});

describe('the differences the contract test reads from docs/differences.md', () => {
  const table = (heading: string, rows: string[]): string =>
    [heading, '', '| a | b | why |', '| - | - | - |', ...rows, ''].join('\n');
  const both = (statuses: string[], fields: string[] = []): string =>
    `${table(STATUSES_HEADING, statuses)}\n${table(FIELDS_HEADING, fields)}`;

  it('are read from the repository’s page', () => {
    const page = readFileSync(new URL('../docs/differences.md', import.meta.url), 'utf8');
    const { statuses, fields } = readDeclaredDifferences(page);
    expect(statuses).toContainEqual({ operationId: '*', status: 501 });
    expect(statuses).toContainEqual({ operationId: 'queryEvents', status: 400 });
    expect(fields).toContainEqual({ schema: 'Contact', field: 'address' });
  });

  it('a row may name several operations and statuses', () => {
    const { statuses } = readDeclaredDifferences(both(['| `sendMemo`, `fetchMemo` | 409, 422 | because |']));
    expect(statuses).toHaveLength(4);
    expect(statuses).toContainEqual({ operationId: 'fetchMemo', status: 422 });
  });

  it('refuse an operation NgDP does not have, so the table cannot name a typo', () => {
    expect(() => readDeclaredDifferences(both(['| `sendMemos` | 409 | because |']))).toThrow(
      /sendMemos` names no operation/,
    );
  });

  it('refuse a row without a reason, or a status that is not one', () => {
    expect(() => readDeclaredDifferences(both(['| `sendMemo` | 409 | |']))).toThrow(/says no why/);
    expect(() => readDeclaredDifferences(both(['| `sendMemo` | conflict | why |']))).toThrow(
      /not a list of statuses/,
    );
  });

  it('refuse a page without the sections', () => {
    expect(() => readDeclaredDifferences('# Differences\n')).toThrow(/no section/);
  });
});

describeWith({ shared: [OPENAPI_SPEC] }, "the contract test holds answers against NgDP's OpenAPI", () => {
  const spec = JSON.parse(readFileSync(sharedPath(OPENAPI_SPEC) as string, 'utf8')) as OpenApi;
  const checker = new ContractChecker(spec, {
    statuses: [{ operationId: 'queryContacts', status: 400 }],
    fields: [{ schema: 'Contact', field: 'address' }],
  });

  it('passes an answer that matches its schema', () => {
    expect(
      checker.problems(answer({ json: { id: '2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87', type: 'CITIZEN' } })),
    ).toEqual([]);
  });

  it('lets an answer asked for some fields only (`fields=`) lack required properties, nothing else', () => {
    const page = (json: unknown, projected: boolean) =>
      checker.problems(
        answer({ path: '/privileges/direct/grantee/2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87', json, projected }),
      );
    const trimmed = { directPrivileges: [{ id: '2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87' }] };
    expect(page(trimmed, false)).toEqual(
      expect.arrayContaining([expect.stringMatching(/must have required property 'granteeId'/)]),
    );
    expect(page(trimmed, true)).toEqual([]);
    expect(page({ directPrivileges: [{ id: 'not-a-uuid' }] }, true)).toEqual([
      expect.stringMatching(/must match format "uuid"/),
    ]);
  });

  it('names the operation, the status, the JSON path and the problem of a body that breaks it', () => {
    const problems = checker.problems(
      answer({
        json: { id: 'not-a-uuid', version: 'one', mailboxSubscription: { publicRegistrationStatus: 'YES' } },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^fetchContact \(GET \/contacts\/\{id\}\) answered 200: \$\.id must match format "uuid"/,
        ),
        expect.stringMatching(/answered 200: \$\.version must be integer/),
        expect.stringMatching(
          /\$\.mailboxSubscription\.publicRegistrationStatus must be equal to one of the allowed values: UNKNOWN, REGISTERED/,
        ),
      ]),
    );
  });

  it('names a property the schema does not declare, unless differences.md lists it', () => {
    const problems = checker.problems(
      answer({ json: { id: '2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87', name: 'x', address: {} } }),
    );
    expect(problems).toEqual([expect.stringMatching(/\$\.name is not a property of Contact/)]);
  });

  it('fails a status the operation does not declare, unless differences.md lists it', () => {
    expect(checker.problems(answer({ status: 409, json: { code: 'CONFLICT' } }))).toEqual([
      expect.stringMatching(/fetchContact .* answered 409: NgDP declares 200, 401, 403, 404 for it/),
    ]);
    const listed = answer({
      path: '/contacts/',
      status: 400,
      json: { code: 'INVALID_PARAMETER', message: 'm', fieldErrors: [] },
    });
    expect(checker.problems(listed)).toEqual([]);
    expect(checker.problems({ ...listed, json: { code: 400 } })).toEqual([
      expect.stringMatching(/answered 400: \$\.code must be string/),
    ]);
  });

  it('holds a refusal against ErrorMessage where NgDP declares the success schema for it', () => {
    const refusal = answer({
      path: '/events/',
      status: 403,
      json: { code: 'NOT_OWN_SYSTEM', message: 'm', fieldErrors: [] },
    });
    expect(checker.problems(refusal)).toEqual([]);
    expect(checker.problems({ ...refusal, json: { code: 'X', detail: 'y' } })).toEqual([
      expect.stringMatching(/\$\.detail is not a property of ErrorMessage/),
    ]);
  });

  it('fails a body of a media type the status does not declare', () => {
    expect(
      checker.problems(
        answer({
          path: '/memos/2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87',
          contentType: 'text/plain',
          hasJson: false,
        }),
      ),
    ).toEqual([
      expect.stringMatching(
        /fetchMemo .* answered 200: the body is text\/plain, NgDP declares application\/xml/,
      ),
    ]);
  });

  it('leaves alone the answers of fault rules, unknown paths and methods a path does not have', () => {
    expect(checker.problems(answer({ status: 418, fault: 'status' }))).toEqual([]);
    expect(checker.problems(answer({ path: '/no-such-thing/', status: 404 }))).toEqual([]);
    expect(checker.problems(answer({ method: 'PATCH', status: 405 }))).toEqual([]);
  });

  it('loads the repository’s differences', () => {
    const loaded = loadContractChecker(sharedPath(OPENAPI_SPEC) as string);
    expect(
      loaded.problems(
        answer({ path: '/mailboxes/', status: 501, json: { code: 'NOT_SERVED', message: 'm' } }),
      ),
    ).toEqual([]);
  });

  describe('a test that receives a bad answer from /apis/v1 fails', () => {
    let origin: string;
    let close: () => void;

    beforeAll(async () => {
      // A fake route served as the simulator serves its own: through the same channel.
      const app = express();
      app.use('/apis/v1', publishApiResponses);
      app.get('/apis/v1/contacts/:id', (_request, response) => {
        response.json({ id: 42, type: 'ROBOT' });
      });
      const server = app.listen(0, '127.0.0.1');
      await new Promise((resolve) => server.once('listening', resolve));
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      close = () => server.close();
    });
    afterAll(() => close());

    it('with every problem of the answer, once it has gone out', async () => {
      const response = await fetch(`${origin}/apis/v1/contacts/2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87`);
      expect(await response.json()).toEqual({ id: 42, type: 'ROBOT' });
      // What contract-setup.ts would fail this test with after it ran (taken here, so it does not).
      expect(takeContractProblems()).toEqual([
        expect.stringMatching(/fetchContact .* answered 200: \$\.id must be string/),
        expect.stringMatching(
          /fetchContact .* answered 200: \$\.type must be equal to one of the allowed values: UNKNOWN, COMPANY, CITIZEN/,
        ),
      ]);
    });
  });

  describe('with nobody listening on the channel', () => {
    it('an answer is neither wrapped nor told', async () => {
      diagnosticsChannel.unsubscribe(API_RESPONSES_CHANNEL, contractListener);
      try {
        const app = express();
        let wrapped: boolean | undefined;
        app.use('/apis/v1', publishApiResponses);
        app.get('/apis/v1/contacts/:id', (_request, response) => {
          // express's own json, not the channel's wrapper around it.
          wrapped = Object.hasOwn(response, 'json');
          response.json({ id: 42 });
        });
        const server = app.listen(0, '127.0.0.1');
        await new Promise((resolve) => server.once('listening', resolve));
        const port = (server.address() as AddressInfo).port;
        await (
          await fetch(`http://127.0.0.1:${port}/apis/v1/contacts/2f6d9a10-4c1b-4e8a-9b7f-3a2c1d0e9f87`)
        ).json();
        server.close();

        expect(wrapped).toBe(false);
        expect(takeContractProblems()).toEqual([]);
      } finally {
        diagnosticsChannel.subscribe(API_RESPONSES_CHANNEL, contractListener);
      }
    });
  });
});
