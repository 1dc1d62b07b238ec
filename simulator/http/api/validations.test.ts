/**
 * `POST /validations/` as a sender system sees it: NgDP's pre-validation of a letter's HTML, under
 * `policy=STRICT|LENIENT` (default LENIENT) with its `fileName`. The verdict is a 201 whose
 * `ErrorMessage` says APPROVED or REJECTED with each finding in `fieldErrors`; what cannot be
 * validated at all is a 400. Every answer is checked against the OpenAPI file's `ErrorMessage`.
 */
import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OPENAPI_SPEC } from '../../../test/support/contract.ts';
import { describeWith } from '../../../test/support/requirements.ts';
import {
  type ApiResponse,
  call,
  expectErrorMessage,
  keyOf,
  SEED_IDS,
  startTestSimulator,
} from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

const LETTER =
  '<!DOCTYPE html><html><head><title>Brev</title></head><body><p>Hej</p><img src="https://tracker.example/p.png"></body></html>';
const PLAIN = '<!DOCTYPE html><html><head><title>x</title></head><body></body></html>';
const UNSAFE = '<!DOCTYPE html><html><head><title>Brev</title></head><body><script>1</script></body></html>';

describeWith({ shared: [OPENAPI_SPEC] }, 'POST /validations/', () => {
  let simulator: RunningSimulator;
  let key: string;

  beforeAll(async () => {
    simulator = await startTestSimulator();
    key = keyOf(simulator, SEED_IDS.senderPull);
  });
  afterAll(() => simulator.stop());

  async function validate(
    body: string | Buffer,
    query = '',
    contentType = 'text/html',
    apiKey = key,
  ): Promise<ApiResponse> {
    const response = await call(`${simulator.apiUrl}/validations/${query}`, {
      method: 'POST',
      apiKey,
      body,
      contentType,
    });
    return response;
  }

  it('approves an HTML letter: 201, code APPROVED, no findings', async () => {
    const html = LETTER.replace('<img src="https://tracker.example/p.png">', '');
    const response = await validate(html, '?fileName=brev.html&policy=STRICT');

    expect(response.status).toBe(201);
    expect(response.json).toEqual({
      code: 'APPROVED',
      message: 'the HTML is approved under the STRICT policy',
      fieldErrors: [],
    });
  });

  it('under STRICT rejects what loads from elsewhere: code REJECTED, each finding in fieldErrors', async () => {
    const response = await validate(LETTER, '?fileName=brev.html&policy=STRICT');

    expect(response.status).toBe(201);
    expect(response.json).toEqual({
      code: 'REJECTED',
      message: 'the HTML is rejected under the STRICT policy: 1 problem',
      fieldErrors: [
        {
          resource: 'brev.html',
          field: 'line 1, column 75',
          code: 'EXTERNAL_RESOURCE',
          message: '<img> loads src from elsewhere: a letter must carry its own images and styles',
          rejectedValue: 'https://tracker.example/p.png',
        },
      ],
    });
  });

  it('under LENIENT, the default, approves it with the finding as a warning', async () => {
    const response = await validate(LETTER);

    expect(response.json).toMatchObject({
      code: 'APPROVED',
      message: 'the HTML is approved under the LENIENT policy with 1 warning (STRICT would reject them)',
      fieldErrors: [
        { resource: 'html', code: 'EXTERNAL_RESOURCE', message: expect.stringMatching(/a warning/) },
      ],
    });
  });

  it('rejects unsafe HTML under LENIENT too', async () => {
    expect((await validate(UNSAFE, '?policy=LENIENT')).json).toMatchObject({
      code: 'REJECTED',
      fieldErrors: [{ code: 'FORBIDDEN_ELEMENT', rejectedValue: '<script>' }],
    });
  });

  it("takes NgDP's Body {resource: base64} too, labelled text/html as generated clients send it, or as JSON", async () => {
    const body = JSON.stringify({ resource: Buffer.from(UNSAFE).toString('base64') });
    for (const type of ['text/html', 'application/json; charset=utf-8'])
      expect((await validate(body, '', type)).json).toMatchObject({
        code: 'REJECTED',
        fieldErrors: [{ code: 'FORBIDDEN_ELEMENT' }],
      });
  });

  it.each([
    ['an unknown policy', '?policy=PEDANTIC', PLAIN, 'text/html', 'INVALID_PARAMETER', 'policy'],
    [
      'a Body whose resource is not base64',
      '',
      '{"resource": "not base64!"}',
      'text/html',
      'INVALID_FIELD',
      'resource',
    ],
    ['a Body without resource', '', '{"html": "x"}', 'application/json', 'REQUIRED', 'resource'],
  ])('refuses %s with 400 naming the field', async (_what, query, body, type, code, field) => {
    const response = await validate(body, query, type);
    expect(response.status, response.text).toBe(400);
    expect((response.json as { fieldErrors: unknown[] }).fieldErrors).toMatchObject([{ field }]);
    expect(JSON.stringify(response.json)).toContain(code === 'INVALID_FIELD' ? 'INVALID_FORMAT' : code);
  });

  it('refuses anything but HTML: a MeMo is 400 CONTENT_TYPE_NOT_SUPPORTED', async () => {
    const response = await validate('<Message/>', '', 'application/xml');
    expect(expectErrorMessage(response, 400, 'CONTENT_TYPE_NOT_SUPPORTED').message).toMatch(
      /only HTML is validated/,
    );
  });

  it('refuses an empty document with 400 INVALID_BODY', async () => {
    expectErrorMessage(await validate('', ''), 400, 'INVALID_BODY');
  });

  it('refuses a body without Content-Length (chunked) with 400 LENGTH_REQUIRED', async () => {
    const response = await request(`${simulator.apiUrl}/validations/`, {
      method: 'POST',
      headers: { authorization: `Basic ${key}`, 'content-type': 'text/html' },
      body: Readable.from([Buffer.from(LETTER)]),
    });
    expect(response.statusCode).toBe(400);
    expect(await response.body.json()).toMatchObject({ code: 'LENGTH_REQUIRED' });
  });

  it('is for sender systems: a recipient system is refused 403', async () => {
    const response = await validate(LETTER, '', 'text/html', keyOf(simulator, SEED_IDS.companyRecipient));
    expect(response.status).toBe(403);
  });

  it('stores and logs nothing', async () => {
    const events = async () =>
      ((await call(`${simulator.apiUrl}/events/`, { apiKey: key })).json as { totalElements: number })
        .totalElements;
    const before = await events();
    await validate(LETTER);
    expect(await events()).toBe(before);
  });
});
