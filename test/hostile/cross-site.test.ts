/**
 * Issue 11, finding 4: a web page must not drive the simulator. The control API takes JSON only as
 * `application/json`, a browser's cross-site request is refused (Origin, Sec-Fetch-Site), a Host the
 * simulator does not answer to is refused (DNS rebinding), and the status page shows API keys only
 * to those who may read them.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningSimulator } from '../../simulator/index.ts';
import {
  call,
  expectErrorMessage,
  resetSimulator,
  SEED_IDS,
  startTestSimulator,
} from '../support/simulator.ts';
import { sshPublicKey } from '../support/ssh-keys.ts';

const ED25519_KEY = sshPublicKey();

describe('a browser page cannot drive the control API', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTestSimulator();
  });
  afterAll(() => simulator.stop());
  beforeEach(() => resetSimulator(simulator));

  const faultRule = JSON.stringify({ operation: 'POST /memos/', status: 503 });
  const faults = async () => (await call(`${simulator.controlUrl}/faults`)).json;

  it.each([
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'text/plain',
    'application/xml',
  ])('refuses a JSON body sent as %s (a type browsers send cross-site without asking)', async (type) => {
    const response = await call(`${simulator.controlUrl}/faults`, {
      method: 'POST',
      contentType: type,
      body: faultRule,
    });
    expectErrorMessage(response, 400, 'CONTENT_TYPE_NOT_SUPPORTED');
    expect(await faults()).toEqual([]);
  });

  it('refuses a JSON body without any Content-Type', async () => {
    const response = await call(`${simulator.controlUrl}/faults`, { method: 'POST', body: faultRule });
    expectErrorMessage(response, 400, 'CONTENT_TYPE_NOT_SUPPORTED');
  });

  it('takes a JSON body sent as application/json, with a charset or without', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8']) {
      const response = await call(`${simulator.controlUrl}/faults`, {
        method: 'POST',
        contentType: type,
        body: faultRule,
      });
      expect(response.status, response.text).toBe(201);
    }
  });

  it('takes a POST without a body whatever its Content-Type (curl -X POST, curl -d "")', async () => {
    const bare = await call(`${simulator.controlUrl}/reset`, { method: 'POST' });
    const emptyForm = await call(`${simulator.controlUrl}/reset`, {
      method: 'POST',
      contentType: 'application/x-www-form-urlencoded',
      body: '',
    });
    expect([bare.status, emptyForm.status]).toEqual([200, 200]);
  });

  it.each([
    ['gzip', 'the JSON compressed'],
    ['br', 'the JSON compressed'],
  ])('refuses Content-Encoding %s with UNSUPPORTED_ENCODING (%s)', async (encoding) => {
    const response = await call(`${simulator.controlUrl}/faults`, {
      method: 'POST',
      contentType: 'application/json',
      headers: { 'content-encoding': encoding },
      body: faultRule,
    });
    expectErrorMessage(response, 400, 'UNSUPPORTED_ENCODING');
  });

  it('refuses a charset other than UTF-8', async () => {
    const response = await call(`${simulator.controlUrl}/faults`, {
      method: 'POST',
      contentType: 'application/json; charset=utf-16',
      body: faultRule,
    });
    expectErrorMessage(response, 400, 'UNSUPPORTED_ENCODING');
  });

  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['an Origin of another port on localhost', { origin: 'http://localhost:3000' }],
    ['Origin null (a sandboxed frame, a file)', { origin: 'null' }],
    ['Sec-Fetch-Site cross-site', { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' }],
    ['Sec-Fetch-Site same-site', { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' }],
    [
      'a cross-site form posted as a navigation',
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' },
    ],
  ])('refuses a request with %s: 403 CROSS_SITE_REQUEST, nothing done', async (_name, headers) => {
    const response = await call(`${simulator.controlUrl}/faults`, {
      method: 'POST',
      contentType: 'application/json',
      headers,
      body: faultRule,
    });
    expectErrorMessage(response, 403, 'CROSS_SITE_REQUEST');
    expect(await faults()).toEqual([]);
  });

  it('refuses a cross-site read of the fixtures (the API keys)', async () => {
    const response = await call(`${simulator.controlUrl}/fixtures`, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors', origin: 'https://evil.example' },
    });
    expectErrorMessage(response, 403, 'CROSS_SITE_REQUEST');
  });

  it('refuses a cross-site request to NgDP API as well', async () => {
    const response = await call(`${simulator.apiUrl}/contact-points/`, {
      headers: { origin: 'https://evil.example' },
    });
    expectErrorMessage(response, 403, 'CROSS_SITE_REQUEST');
  });

  it("answers a request from the simulator's own origin, and a link followed from another site", async () => {
    const own = new URL(simulator.controlUrl).origin;
    const sameOrigin = await call(`${simulator.controlUrl}/faults`, {
      method: 'POST',
      contentType: 'application/json',
      headers: { origin: own, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' },
      body: faultRule,
    });
    const navigation = await call(simulator.uiUrl, {
      headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect([sameOrigin.status, navigation.status]).toEqual([201, 200]);
  });

  describe('the SSH key route, which takes its text body whatever the content type', () => {
    const sshKeyUrl = () => `${simulator.controlUrl}/systems/${SEED_IDS.senderSftp}/ssh-key`;

    it('still takes a key as curl sends it by default (a form type, no Origin)', async () => {
      const response = await call(sshKeyUrl(), {
        method: 'PUT',
        contentType: 'application/x-www-form-urlencoded',
        body: ED25519_KEY,
      });
      expect(response.status, response.text).toBe(200);
    });

    it('refuses the same request from a browser on another site', async () => {
      const response = await call(sshKeyUrl(), {
        method: 'PUT',
        contentType: 'text/plain',
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        body: ED25519_KEY,
      });
      expectErrorMessage(response, 403, 'CROSS_SITE_REQUEST');
    });
  });

  it('answers 100,000 nested arrays with INVALID_JSON as JSON, not an HTML page with a stack trace', async () => {
    const depth = 100_000;
    const response = await call(`${simulator.controlUrl}/faults`, {
      method: 'POST',
      contentType: 'application/json',
      body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
    });
    expectErrorMessage(response, 400, 'INVALID_JSON');
    expect(response.text).not.toMatch(/at |<html|<pre/i);
  });

  it('answers a deeply nested receipt on NgDP API with INVALID_JSON too', async () => {
    const depth = 100_000;
    const response = await call(`${simulator.apiUrl}/memos/${SEED_IDS.senderPull}/receipt`, {
      method: 'POST',
      apiKey: simulator.fixtures.systems.find((s) => s.id === SEED_IDS.authorityRecipient)?.apiKey as string,
      contentType: 'application/json',
      body: `{"receiptStatus":${'['.repeat(depth)}${']'.repeat(depth)}}`,
    });
    expectErrorMessage(response, 400, 'INVALID_JSON');
  });
});

describe('DNS rebinding: the Host header must be a name the simulator answers to', () => {
  let simulator: RunningSimulator;

  beforeAll(async () => {
    simulator = await startTestSimulator({ allowedHosts: ['digitalpost', '.ci.example'] });
  });
  afterAll(() => simulator.stop());

  const withHost = (url: string, host: string) => call(url, { headers: { host } });

  it.each(['evil.example', 'evil.example:4500', '127.0.0.1.nip.io', 'localhost.evil.example'])(
    'refuses Host %s with 403 HOST_NOT_ALLOWED, on every part of the simulator',
    async (host) => {
      for (const url of [
        `${simulator.controlUrl}/fixtures`,
        `${simulator.apiUrl}/contacts/`,
        simulator.uiUrl,
      ]) {
        expectErrorMessage(await withHost(url, host), 403, 'HOST_NOT_ALLOWED');
      }
    },
  );

  it.each([
    'localhost',
    'localhost:4500',
    'LOCALHOST',
    'app.localhost',
    '127.0.0.1:4500',
    '10.1.2.3',
    '[::1]:4500',
    'digitalpost:4500',
    'ci.example',
    'runner.ci.example',
  ])('answers under Host %s (an IP, localhost, or an allowed name)', async (host) => {
    const response = await withHost(`${simulator.controlUrl}/fixtures`, host);
    expect(response.status, response.text).toBe(200);
  });

  it('refuses a Host that is no host name at all', async () => {
    expectErrorMessage(await withHost(`${simulator.controlUrl}/fixtures`, 'a b'), 403, 'HOST_NOT_ALLOWED');
  });

  it('answers any Host when allowedHosts holds "*"', async () => {
    const open = await startTestSimulator({ allowedHosts: ['*'] });
    try {
      expect((await withHost(`${open.controlUrl}/fixtures`, 'evil.example')).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it('answers any name without a dot when allowedHosts holds "single-label" (compose services, CI aliases), and no other', async () => {
    const container = await startTestSimulator({ allowedHosts: ['single-label'] });
    try {
      const status = async (host: string) =>
        (await withHost(`${container.controlUrl}/fixtures`, host)).status;
      expect({
        service: await status('digitalpost:4500'),
        dindHost: await status('docker:2375'),
        dotted: await status('digitalpost.evil.example'),
        trailingDot: await status('evil.example.'),
      }).toEqual({ service: 200, dindHost: 200, dotted: 403, trailingDot: 403 });
    } finally {
      await container.stop();
    }
  });

  it('refuses an allowedHosts entry that is not a host name', async () => {
    await expect(startTestSimulator({ allowedHosts: ['http://x/'] })).rejects.toMatchObject({
      name: 'SimulatorConfigError',
    });
  });
});

describe('the status page and API keys', () => {
  it('lists the API keys on loopback without a control token', async () => {
    const simulator = await startTestSimulator();
    try {
      const page = await call(simulator.uiUrl);
      expect(page.text).toContain(simulator.fixtures.systems[0]?.apiKey);
    } finally {
      await simulator.stop();
    }
  });

  it("leaves the API keys and employees' passwords out when the control API needs a token the request does not carry", async () => {
    const simulator = await startTestSimulator({ controlToken: 'hostile-test-token' });
    try {
      const keys = [
        ...simulator.fixtures.systems.map((system) => system.apiKey),
        ...simulator.fixtures.employees.map((employee) => employee.password),
      ];
      const anonymous = await call(simulator.uiUrl);
      expect(anonymous.status).toBe(200);
      for (const key of keys) expect(anonymous.text).not.toContain(key);
      const withToken = await call(simulator.uiUrl, {
        headers: { authorization: 'Bearer hostile-test-token' },
      });
      for (const key of keys) expect(withToken.text).toContain(key);
    } finally {
      await simulator.stop();
    }
  });
});
