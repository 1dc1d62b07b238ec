/**
 * Who may use the control API: anyone on loopback, only holders of the control token elsewhere (a
 * container on a shared CI network) — except the health check, which tells nothing but "up".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, expectErrorMessage, startTestSimulator } from '../../../test/support/simulator.ts';
import type { RunningSimulator } from '../../index.ts';

/** The URL of a simulator bound to every address, reached over loopback. */
const overLoopback = (url: string): string => url.replace('//0.0.0.0:', '//127.0.0.1:');

describe('a simulator bound beyond loopback', () => {
  let simulator: RunningSimulator;
  let control: string;

  beforeAll(async () => {
    simulator = await startTestSimulator({ host: '0.0.0.0' });
    control = overLoopback(simulator.controlUrl);
  });
  afterAll(() => simulator.stop());

  it('makes a control token of its own when none is given', () => {
    expect(simulator.controlToken).toMatch(/^[0-9a-f]{32}$/);
  });

  it.each([
    ['GET', '/fixtures'],
    ['GET', '/clock'],
    ['POST', '/reset'],
    ['GET', '/mailboxes/0101700001/messages'],
  ])('refuses %s %s without the token with 401 UNAUTHENTICATED', async (method, path) => {
    expectErrorMessage(await call(`${control}${path}`, { method }), 401, 'UNAUTHENTICATED');
  });

  it('refuses a wrong token', async () => {
    const response = await call(`${control}/fixtures`, { headers: { authorization: 'Bearer wrong' } });
    expectErrorMessage(response, 401, 'UNAUTHENTICATED');
  });

  it('answers the holder of the token', async () => {
    const response = await call(`${control}/fixtures`, {
      headers: { authorization: `Bearer ${simulator.controlToken}` },
    });
    expect(response.status).toBe(200);
  });

  it('answers the health check without the token, with nothing but its status', async () => {
    const response = await call(`${control}/health`);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ status: 'ok' });
  });
});

describe('a simulator on loopback', () => {
  it('needs no control token unless one is given', async () => {
    const simulator = await startTestSimulator();
    try {
      expect(simulator.controlToken).toBeUndefined();
      expect((await call(`${simulator.controlUrl}/fixtures`)).status).toBe(200);
    } finally {
      await simulator.stop();
    }
  });

  it('requires the token it is given, but not for the health check', async () => {
    const simulator = await startTestSimulator({ controlToken: 'given-token' });
    try {
      expectErrorMessage(await call(`${simulator.controlUrl}/clock`), 401, 'UNAUTHENTICATED');
      const clock = await call(`${simulator.controlUrl}/clock`, {
        headers: { authorization: 'Bearer given-token' },
      });
      expect(clock.status).toBe(200);
      expect((await call(`${simulator.controlUrl}/health`)).json).toEqual({ status: 'ok' });
    } finally {
      await simulator.stop();
    }
  });
});

describe('POST /simulator/v1/settle', () => {
  it('answers once nothing is running and nothing is due', async () => {
    const simulator = await startTestSimulator();
    try {
      const response = await call(`${simulator.controlUrl}/settle`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(response.json).toEqual({ settled: true });
    } finally {
      await simulator.stop();
    }
  });
});
