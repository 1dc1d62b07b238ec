/**
 * The receivers' share of "quiet about secrets" (client issue, item 5): when NgDP — or whatever
 * answers at its address — echoes the API key while the receivers post a receipt or fetch a notified
 * MeMo, the key reaches neither the answer to the pusher, nor what `onError` gets, nor the default
 * report on stderr; nor does a full CPR number. The receivers' client speaks to a hostile server of
 * the project's own (test/hostile-server).
 */
import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { afterEach, expect, test, vi } from 'vitest';
import { createMemoReceiver, createNotificationReceiver } from '../../sdk/receivers/index.ts';
import { API_KEY, clientFor } from '../hostile-server/client.ts';
import { type Handler, type HostileServer, startHostileServer } from '../hostile-server/server.ts';
import { memoXml, multipart, post, type Served, serve } from '../support/receivers.ts';

const CPR = '0101901234';
let ngdp: HostileServer | undefined;
const servers: Served[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  await ngdp?.close();
  ngdp = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** Answers `status` with the request's Authorization (and a CPR number) in headers and body. */
const echo =
  (status: number): Handler =>
  (request, response) => {
    const authorization = String(request.headers.authorization);
    response
      .writeHead(status, {
        'content-type': 'application/json',
        'x-echo': authorization,
        'www-authenticate': `Basic realm="${authorization}"`,
      })
      .end(
        JSON.stringify({
          code: 'REJECTED',
          message: `you sent ${authorization} about ${CPR}`,
          fieldErrors: [{ field: 'authorization', rejectedValue: authorization }],
        }),
      );
  };

/** Everything an error shows: message, stack, its full inspection (causes included) and its JSON. */
function everythingShown(error: unknown): string {
  const shown = error as Error;
  return `${shown.message}\n${shown.stack}\n${inspect(error, { depth: 10, showHidden: true })}\n${JSON.stringify(error)}`;
}

const pushOf = (messageUUID: string) =>
  multipart([{ name: 'file', filename: messageUUID, content: memoXml({ messageUUID }) }]);

test.each([400, 401, 500])(
  'a receipt NgDP answers %i with the key echoed: the key is in nothing onError gets',
  async (status) => {
    ngdp = await startHostileServer({ 'POST /memos/:id/receipt': echo(status) });
    const errors: unknown[] = [];
    const receiver = await serve(
      createMemoReceiver({
        client: clientFor(ngdp, { retry: false }).client,
        onMemo: () => {},
        onError: (error) => errors.push(error),
      }),
    );
    servers.push(receiver);
    const push = pushOf(randomUUID());

    expect((await post(receiver.url, push.body, push.contentType)).status).toBe(200);

    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(ngdp.requests[0]?.headers.authorization).toBe(`Basic ${API_KEY}`);
    expect(everythingShown(errors[0])).not.toContain(API_KEY);
    expect(everythingShown(errors[0])).not.toContain(CPR);
  },
);

test('the default report of such a receipt is one line, without the key or a full CPR number', async () => {
  ngdp = await startHostileServer({ 'POST /memos/:id/receipt': echo(400) });
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  });
  const receiver = await serve(
    createMemoReceiver({ client: clientFor(ngdp, { retry: false }).client, onMemo: () => {} }),
  );
  servers.push(receiver);
  const messageUUID = randomUUID();
  const push = pushOf(messageUUID);

  await post(receiver.url, push.body, push.contentType);

  await vi.waitFor(() => expect(lines).toHaveLength(1));
  expect(lines[0]).toMatch(new RegExp(`^digitalpost memo receiver \\(${messageUUID}\\): `));
  expect(lines[0]).not.toContain(API_KEY);
  expect(lines[0]).not.toContain(CPR);
  expect(lines[0]).not.toContain('\n');
});

test('a notified MeMo whose fetch is answered with the key echoed: 502 to the notifier, and the key nowhere', async () => {
  ngdp = await startHostileServer({ 'GET /memos/:id': echo(401) });
  const errors: unknown[] = [];
  const receiver = await serve(
    createNotificationReceiver({
      client: clientFor(ngdp, { retry: false }).client,
      onMemo: () => {},
      onError: (error) => errors.push(error),
    }),
  );
  servers.push(receiver);
  const messageUUID = randomUUID();

  const answer = await post(
    receiver.url,
    JSON.stringify({ messageUUID, memoUrl: 'https://example.invalid/', timeStamp: '2024-03-01T09:16:02Z' }),
    'application/json',
  );

  expect(answer.status).toBe(502);
  expect(answer.json).toMatchObject({ code: 'MEMO_FETCH_FAILED' });
  expect(answer.text).not.toContain(API_KEY);
  expect(errors).toHaveLength(1);
  expect(everythingShown(errors[0])).not.toContain(API_KEY);
  expect(everythingShown(errors[0])).not.toContain(CPR);
});
