/**
 * A simulator in a process of its own, for tests that measure it from outside (latency while it
 * works, its peak RSS): `node --expose-gc test/support/simulator-process-child.ts '<options JSON>'`,
 * forked with IPC by `simulator-process.ts`. It sends `{ type: 'ready', … }` once it listens, and
 * answers `rss-reset` (a full GC, then the kernel's high-water mark reset), `rss-peak` and `stop`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type SimulatorOptions, startSimulator } from '../../simulator/index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as SimulatorOptions;
const simulator = await startSimulator({ port: 0, ...options });
const send = (message: unknown): void => {
  process.send?.(message);
};

/** The kernel's high-water mark of this process's RSS, bytes (Linux). */
const peakRss = (): number => {
  const match = /VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match === null ? process.memoryUsage.rss() : Number(match[1]) * 1024;
};

process.on('message', (message: { type: string }) => {
  switch (message.type) {
    case 'rss-reset': {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const rss = process.memoryUsage.rss();
      writeFileSync('/proc/self/clear_refs', '5');
      send({ type: 'rss-reset:done', rss });
      return;
    }
    case 'rss-peak':
      send({ type: 'rss-peak:done', peak: peakRss() });
      return;
    case 'stop':
      void simulator.stop().finally(() => process.exit(0));
      return;
  }
});

// The test that started it is gone: so is it.
process.on('disconnect', () => void simulator.stop().finally(() => process.exit(0)));

send({
  type: 'ready',
  apiUrl: simulator.apiUrl,
  controlUrl: simulator.controlUrl,
  sftp: simulator.sftp,
  fixtures: simulator.fixtures,
});
