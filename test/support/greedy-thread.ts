/**
 * A stand-in for the MeMo thread (`simulator/threads/memo-thread.ts`) that says it is ready and
 * then, asked to read anything, allocates until its heap limit stops it: how the pool copes with a
 * thread that runs out of memory in the middle of a job, whatever the MeMo reader needs.
 */
import { parentPort } from 'node:worker_threads';

const hoard: string[][] = [];
parentPort?.on('message', () => {
  for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => `${i}-${hoard.length}`));
});
parentPort?.postMessage({ type: 'ready', job: 0 });
