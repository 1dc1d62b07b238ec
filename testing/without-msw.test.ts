/**
 * msw is an optional peer dependency: digitalpost/testing loads it only for its msw side. A child
 * process in which `msw` cannot be resolved (test/support/hide-msw.ts) imports digitalpost/testing,
 * sends through the dispatcher, and is told what to install when it asks for msw handlers.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('../test/support/without-msw-child.ts', import.meta.url));
const hideMsw = fileURLToPath(new URL('../test/support/hide-msw.ts', import.meta.url));

describe('digitalpost/testing without msw installed', () => {
  let outcome: { mswHidden: boolean; registration?: string; handlers?: { code: string; message: string } };

  beforeAll(async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', hideMsw, child], {
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    outcome = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  });

  it('runs where msw cannot be imported', () => {
    expect(outcome.mswHidden).toBe(true);
  });

  it('answers a client through ngdp.dispatcher()', () => {
    expect(outcome.registration).toBe('REGISTERED');
  });

  it('says what to install when msw handlers are asked for', () => {
    expect(outcome.handlers).toEqual({
      code: 'MSW_NOT_INSTALLED',
      message:
        'ngdp.handlers needs msw, which is not installed: npm install --save-dev msw — or give the client ' +
        'ngdp.dispatcher(), which needs no msw',
    });
  });
});
