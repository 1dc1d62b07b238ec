/**
 * A memo receiver in a process of its own, for tests that measure what a push costs it: run with
 * `node --expose-gc receiver-process.ts [maxBytes] [maxBytesInFlight]`. It sends `{ type: 'ready',
 * port }` over IPC; on `reset` it collects garbage and restarts its measurements, on `measure` it
 * answers with the peak RSS growth since then (kernel high-water mark on Linux), the longest its
 * event loop was blocked, and the receipts it posted.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DigitalPostClient } from '../../sdk/client/client.ts';
import { createMemoReceiver } from '../../sdk/receivers/index.ts';

export interface Measured {
  type: 'measured';
  /** Peak RSS growth since the last reset, bytes. */
  growth: number;
  /** The longest the event loop was blocked since the last reset, ms. */
  maxBlockMs: number;
  receipts: { COMPLETED: number; INVALID: number };
}

const receipts = { COMPLETED: 0, INVALID: 0 };
const client = {
  inbox: {
    complete: async () => {
      receipts.COMPLETED += 1;
    },
    reject: async () => {
      receipts.INVALID += 1;
    },
    fetchXml: async () => Buffer.alloc(0),
  },
} as unknown as DigitalPostClient;

const [maxBytes, maxBytesInFlight] = process.argv.slice(2).map(Number);
const server = createServer(
  createMemoReceiver({
    client,
    onMemo: () => {},
    onError: () => {},
    ...(maxBytes ? { maxBytes } : {}),
    ...(maxBytesInFlight ? { maxBytesInFlight } : {}),
  }),
);
server.listen(0, '127.0.0.1', () => {
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});

/** Peak RSS: the kernel's high-water mark where there is one, else sampled every millisecond. */
const peak = (() => {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    const hwm = () => Number(/VmHWM:\s*(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
    return { reset: () => writeFileSync('/proc/self/clear_refs', '5'), value: hwm };
  } catch {
    let highest = 0;
    setInterval(() => {
      highest = Math.max(highest, process.memoryUsage.rss());
    }, 1).unref();
    return {
      reset: () => {
        highest = process.memoryUsage.rss();
      },
      value: () => Math.max(highest, process.memoryUsage.rss()),
    };
  }
})();

const blocks = monitorEventLoopDelay({ resolution: 1 });
let baseline = 0;
process.on('message', (message: { type: string }) => {
  if (message.type === 'reset') {
    (globalThis as { gc?: () => void }).gc?.();
    baseline = process.memoryUsage.rss();
    peak.reset();
    blocks.reset();
    blocks.enable();
    receipts.COMPLETED = 0;
    receipts.INVALID = 0;
    process.send?.({ type: 'reset:done' });
  } else if (message.type === 'measure') {
    blocks.disable();
    const measured: Measured = {
      type: 'measured',
      growth: peak.value() - baseline,
      maxBlockMs: blocks.max / 1e6,
      receipts,
    };
    process.send?.(measured);
  } else if (message.type === 'stop') {
    server.close();
    server.closeAllConnections();
    process.disconnect?.();
  }
});
