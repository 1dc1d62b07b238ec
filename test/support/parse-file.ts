/**
 * Child-process probe for memory tests: reads a MeMo file, parses it and prints
 * `{ inputBytes, rssBeforeBytes, peakRssBytes, contentBytes, ms }` as JSON. Run with --expose-gc.
 */
import { readFileSync } from 'node:fs';
import { parseMemo } from '../../sdk/memo/parse.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node --expose-gc parse-file.ts FILE');
const input = readFileSync(file);
globalThis.gc?.();
const rssBeforeBytes = process.memoryUsage().rss;
const started = performance.now();
const memo = parseMemo(input);
const ms = performance.now() - started;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const contentBytes =
  memo.messageBody?.mainDocument.files.reduce((sum, f) => sum + f.content.byteLength, 0) ?? 0;
process.stdout.write(
  `${JSON.stringify({ inputBytes: input.length, rssBeforeBytes, peakRssBytes, contentBytes, ms })}\n`,
);
