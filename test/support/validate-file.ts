/**
 * Child-process probe for memory tests: reads a MeMo file, validates it (`validateMemo`, schema
 * rules) and prints one JSON line:
 * `{ inputBytes, rssBeforeBytes, peakRssBytes, ms, issues, contentSha256 }` — `issues` as
 * `[path, code, message cut to 200 characters]`, `contentSha256` the hash of every decoded file
 * content in document order. Run with --expose-gc (and a small --max-old-space-size, so that a reader
 * that builds huge strings dies instead of swapping).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { validateMemo } from '../../sdk/memo/validate.ts';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: node --expose-gc validate-file.ts FILE');
const input = readFileSync(file);
globalThis.gc?.();
const rssBeforeBytes = process.memoryUsage().rss;
const started = performance.now();
const result = validateMemo(input, { rules: 'schema' });
const ms = performance.now() - started;
const peakRssBytes = process.resourceUsage().maxRSS * 1024;
const hash = createHash('sha256');
const body = result.memo?.messageBody;
for (const document of [body?.mainDocument, ...(body?.additionalDocuments ?? [])])
  for (const f of document?.files ?? []) hash.update(f.content);
process.stdout.write(
  `${JSON.stringify({
    inputBytes: input.length,
    rssBeforeBytes,
    peakRssBytes,
    ms,
    issues: result.issues.map((i) => [i.path, i.code, i.message.slice(0, 200)]),
    contentSha256: hash.digest('hex'),
  })}\n`,
);
