/**
 * A simulator in a child process (`simulator-process-child.ts`), so that a test can measure it from
 * outside: how fast it answers while it works, and its peak RSS, which the test's own process
 * would otherwise blur.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Fixtures, SftpAddress, SimulatorOptions } from '../../simulator/index.ts';

export interface SimulatorProcess {
  apiUrl: string;
  controlUrl: string;
  sftp: SftpAddress | null;
  fixtures: Fixtures;
  /** Runs a full GC in the child, resets its RSS high-water mark, and returns its RSS then. */
  resetPeakRss(): Promise<number>;
  /** The child's peak RSS since the last reset. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

const CHILD = new URL('./simulator-process-child.ts', import.meta.url).pathname;

/** Starts a simulator (any free port, real clock unless told otherwise) in a child process. */
export async function startSimulatorProcess(options: SimulatorOptions = {}): Promise<SimulatorProcess> {
  const child = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<Omit<SimulatorProcess, 'resetPeakRss' | 'peakRss' | 'stop'>>(
    (resolve, reject) => {
      child.once('message', (message: { type: string }) => resolve(message as never));
      child.once('exit', (code) => reject(new Error(`the simulator process exited (${code})`)));
    },
  );
  return {
    ...ready,
    resetPeakRss: async () => (await ask(child, 'rss-reset')).rss as number,
    peakRss: async () => (await ask(child, 'rss-peak')).peak as number,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function ask(child: ChildProcess, type: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string }): void => {
      if (message.type !== `${type}:done`) return;
      child.off('message', onMessage);
      resolve(message as Record<string, unknown>);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}
