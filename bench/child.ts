/**
 * Child processes of the bench scripts, spoken to over IPC: a simulator (the script re-run with
 * `--serve`) or a sender, each in a process of its own so that it shares no event loop, CPU or
 * memory figures with the bench. The child's first message is `{ type: 'ready', … }`.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { request } from 'undici';

/** A child that has said it is ready. */
export interface BenchChild<Message extends { type: string }> {
  process: ChildProcess;
  /** Its first message. */
  ready: Extract<Message, { type: 'ready' }>;
  /** Its next message; rejects when it exits first. */
  next(): Promise<Message>;
  /** Its CPU time so far, µs (a child started by {@link serveBench} answers `cpu`). */
  cpu(): Promise<number>;
  /** Sends it `message` and waits for it to exit: 15 s at most, then kills it. */
  stop(message?: { type: string }): Promise<void>;
}

/**
 * Forks `script` and waits for its `ready` message.
 *
 * @param options.execArgv Node flags of the child; default none — never inherit `--cpu-prof` (or
 *   anything else) from the bench process.
 */
export async function forkBench<Message extends { type: string }>(
  label: string,
  script: string,
  args: readonly string[],
  options: { execArgv?: string[]; stdout?: 'ignore' | 'inherit' } = {},
): Promise<BenchChild<Message>> {
  const child = fork(script, args, {
    execArgv: options.execArgv ?? [],
    stdio: ['ignore', options.stdout ?? 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(`the ${label} child exited (${signal ?? code})`)),
  );
  const next = (): Promise<Message> =>
    Promise.race([
      new Promise<Message>((resolve) => child.once('message', resolve)),
      exited.then((why) => Promise.reject(new Error(why))),
    ]);
  const first = await next();
  if (first.type !== 'ready')
    throw new Error(`${label} child: unexpected first message ${JSON.stringify(first)}`);
  return {
    process: child,
    ready: first as Extract<Message, { type: 'ready' }>,
    next,
    cpu: () =>
      new Promise((resolve) => {
        const onMessage = (message: { type: string; user?: number; system?: number }): void => {
          if (message.type !== 'cpu:done') return;
          child.off('message', onMessage);
          resolve((message.user ?? 0) + (message.system ?? 0));
        };
        child.on('message', onMessage);
        child.send({ type: 'cpu' });
      }),
    async stop(message = { type: 'stop' }) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send(message);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side, for a bench script run with `--serve`: answers `cpu` with `cpu:done` and its
 * CPU time, runs `stop` and exits on `stop`, and sends `ready`.
 */
export function serveBench<Ready extends { type: 'ready' }>(
  ready: Ready,
  stop: () => Promise<unknown>,
): void {
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') process.send?.({ type: 'cpu:done', ...process.cpuUsage() });
    else if (message.type === 'stop') {
      void stop().finally(() => {
        process.disconnect?.();
        process.exit(0);
      });
    }
  });
  process.send?.(ready);
}

/** A request to the simulator that must answer 200; resolves to the body. */
export async function call(
  url: string,
  init: { method?: 'GET' | 'POST' | 'PUT'; body?: string; headers?: Record<string, string> } = {},
): Promise<string> {
  const answer = await request(url, { method: init.method ?? 'GET', body: init.body, headers: init.headers });
  const text = await answer.body.text();
  if (answer.statusCode !== 200) throw new Error(`${url}: ${answer.statusCode} ${text.slice(0, 200)}`);
  return text;
}
