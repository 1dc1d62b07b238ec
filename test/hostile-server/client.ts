/** A client pointed at a hostile server, and small helpers the hostile-server tests share. */
import type { ClientOptions } from '../../sdk/client/client.ts';
import { type LoggedClient, loggedClient } from '../support/client.ts';

/** The API key the tests' clients send; no error, log line or printout may show it. */
export const API_KEY = 'hostile-api-key-7f3a9c2e';

/** A client for `server` with fast retries that records its log events. */
export function clientFor(
  server: { apiUrl: string },
  options: Omit<ClientOptions, 'apiKey' | 'baseUrl' | 'environment'> = {},
): LoggedClient {
  return loggedClient(server.apiUrl, API_KEY, options);
}

/** What a promise rejected with (it must reject). */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** Every item of an async iterable (a list), or the error it threw. */
export async function drain<T>(items: AsyncIterable<T>): Promise<{ items: T[]; error: unknown }> {
  const out: T[] = [];
  try {
    for await (const item of items) out.push(item);
  } catch (error) {
    return { items: out, error };
  }
  return { items: out, error: undefined };
}

const MiB = 1024 * 1024;

/**
 * The highest resident set size seen while `work` runs, above what it was before, in MiB: sampled
 * every few milliseconds. Machine-dependent, so tests assert it with generous bounds only (exact
 * figures: bench/hostile.bench.ts).
 */
export async function peakRssGrowthMiB(work: () => Promise<unknown>): Promise<number> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
  return (peak - before) / MiB;
}
