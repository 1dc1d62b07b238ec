/**
 * MeMo library throughput: parse, validate and serialize a small letter (3.7 KB: a 1 KiB PDF with an
 * action, a CSV attachment) and a large one (a 10 MiB PDF), against two baselines measured in the
 * same run:
 *
 * - fast-xml-parser alone with the options sdk/memo/xml-reader.ts uses — the ceiling, since our
 *   reader is built on it. Two variants: `XMLValidator.validate` + `parse` (like-for-like: our
 *   reader needs well-formedness and runs the validator first; the target ratio uses this one) and
 *   `parse` alone (fast-xml-parser does not check well-formedness then).
 * - xml2js with its default options, the parser many Node projects use.
 *
 * Targets: the small message's parse+validate (`parseMemo`) reaches ≥ 70 % of fast-xml-parser's
 * validate+parse throughput; the 10 MiB message serializes (`serializeMemo`, `serializeMemoToBytes`)
 * and parses (`parseMemo` of a Buffer) in < 150 ms each, with peak RSS growth < 4× the message size
 * (measured per operation in a fresh process, after GC).
 *
 * Maximal and hostile messages (issues 11 and 12): `validateMemo` of a 99 MB MeMo whose file is plain
 * base64, the same with one character reference in it, the same in CDATA with line breaks, and a
 * 40 MB label (refused: VALUE_TOO_LONG) — peak RSS growth < 3× the message and the time of the one
 * cold run, each in a fresh process.
 *
 * `node --expose-gc bench/memo.bench.ts [--json] [--quick]`, or `npm run bench -- memo`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import xml2js from 'xml2js';
import {
  type Memo,
  parseMemo,
  type SerializeOptions,
  serializeMemo,
  serializeMemoToBytes,
  validateMemo,
} from '../sdk/memo/index.ts';
import {
  args,
  type Measurement,
  median,
  type Row,
  report,
  round,
  rowOf,
  rssProbe,
  runProbeIfRequested,
  runSuite,
  toMB,
} from './harness.ts';

// ---------------------------------------------------------------------------------------------------
// Fixtures

/** Deterministic incompressible bytes (xorshift32), so every run measures the same document. */
function pseudoRandomBytes(size: number, seed: number): Buffer {
  const out = new Uint8Array(size);
  const words = new Uint32Array(out.buffer, 0, size >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  for (let i = words.length * 4; i < size; i++) out[i] = i & 0xff;
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** A PDF-looking file of `size` bytes: a real header and trailer around random "stream" bytes. */
function pdfBytes(size: number, seed: number): Buffer {
  const head = Buffer.from(
    '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n' +
      '2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n' +
      '3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>\nendobj\n' +
      '4 0 obj\n<< /Length 0 /Filter /FlateDecode >>\nstream\n',
    'latin1',
  );
  const tail = Buffer.from('\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
  const out = pseudoRandomBytes(size, seed);
  head.copy(out, 0);
  tail.copy(out, size - tail.length);
  return out;
}

const CSV = Buffer.from(
  'måned;grundbeløb;fradrag;udbetalt\n2025-07;3.412,00;512,00;2.900,00\n2025-08;3.412,00;512,00;2.900,00\n',
  'utf8',
);

/** A realistic letter: a decision with a PDF, a "complain" action, and a CSV calculation attached. */
function letter(pdf: Uint8Array): Memo {
  return {
    version: '1.2',
    messageHeader: {
      messageType: 'DIGITALPOST',
      messageUUID: '8c2ea15d-61e4-4a8f-9f1b-2c0e5b3a7d41',
      messageID: 'BOLIG-2025-004711',
      label: 'Afgørelse om boligstøtte',
      notification: 'Du har fået en afgørelse om boligstøtte fra Eksempel Kommune.',
      reply: false,
      mandatory: false,
      legalNotification: false,
      postType: 'MYNDIGHEDSPOST',
      sender: {
        senderID: '12345678',
        idType: 'CVR',
        label: 'Eksempel Kommune',
      },
      recipient: { recipientID: '0101901234', idType: 'CPR', label: 'Jens Hansen' },
      contentData: {
        cprData: { cprNumber: '0101901234', name: 'Jens Hansen' },
        caseId: { caseID: 'SAG-2025-0042', caseSystem: 'Sagssystem' },
      },
    },
    messageBody: {
      createdDateTime: '2025-06-01T08:30:00Z',
      mainDocument: {
        mainDocumentID: 'afgoerelse-1',
        label: 'Afgørelse',
        files: [
          { encodingFormat: 'application/pdf', filename: 'afgoerelse.pdf', language: 'da', content: pdf },
        ],
        actions: [
          {
            label: 'Klag over afgørelsen',
            actionCode: 'SELVBETJENING',
            endDateTime: '2025-07-01T21:59:59Z',
            entryPoint: { url: 'https://www.borger.dk/boligstoette/klage' },
          },
        ],
      },
      additionalDocuments: [
        {
          additionalDocumentID: 'beregning-1',
          label: 'Beregning',
          files: [{ encodingFormat: 'text/csv', filename: 'beregning.csv', language: 'da', content: CSV }],
        },
      ],
    },
  };
}

const SMALL_PDF_BYTES = 1024;
const LARGE_PDF_BYTES = 10 * 1024 * 1024;
/** The serializer's defaults (no indentation): what this SDK sends. */
const WRITE: SerializeOptions = {};
/** Many senders indent; the small message is also measured that way (more whitespace text nodes). */
const INDENTED: SerializeOptions = { indent: 2 };

const smallMemo = (): Memo => letter(pdfBytes(SMALL_PDF_BYTES, 1));
const largeMemo = (): Memo => letter(pdfBytes(LARGE_PDF_BYTES, 2));

/** The document with every long base64 text wrapped at 76 columns, as MIME encoders (Java, .NET) write. */
function wrapBase64(xml: string): Buffer {
  const parts: string[] = [];
  let from = 0;
  for (let open = xml.indexOf('<memo:content>'); open !== -1; open = xml.indexOf('<memo:content>', from)) {
    const start = open + '<memo:content>'.length;
    const end = xml.indexOf('</memo:content>', start);
    parts.push(xml.slice(from, start));
    for (let at = start; at < end; at += 76) parts.push(xml.slice(at, Math.min(at + 76, end)), '\n');
    from = end;
  }
  parts.push(xml.slice(from));
  return Buffer.from(parts.join(''), 'utf8');
}

// ---------------------------------------------------------------------------------------------------
// Baselines

/** The options of sdk/memo/xml-reader.ts's parser. */
const FXP_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
} as const;

const fxpParser = new XMLParser(FXP_OPTIONS);
const fxpBuilder = new XMLBuilder(FXP_OPTIONS);

function fxpValidateAndParse(xml: string): unknown {
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new Error(verdict.err.msg);
  return fxpParser.parse(xml);
}

const xml2jsParser = new xml2js.Parser();

/** xml2js's parseString calls back synchronously when async is off (the default). */
function xml2jsParse(xml: string): unknown {
  let result: unknown;
  let failure: unknown;
  let called = false;
  xml2jsParser.reset();
  xml2jsParser.parseString(xml, (error: unknown, value: unknown) => {
    called = true;
    failure = error;
    result = value;
  });
  if (!called) throw new Error('xml2js did not call back synchronously');
  if (failure) throw failure;
  return result;
}

// ---------------------------------------------------------------------------------------------------
// RSS probes: run in fresh child processes (see harness.ts)

function inputPath(): string {
  const path = process.argv.find((arg) => arg.startsWith('--input='))?.slice('--input='.length);
  if (path === undefined) throw new Error('the parse probes need --input=<large MeMo file>');
  return path;
}

/** A ~99 MB MeMo (a 74 MB file) with its base64 written as `kind` says, or the letter with a 40 MB label. */
function hugeMessage(kind: HugeKind): Buffer {
  const memo = letter(pdfBytes(SMALL_PDF_BYTES, 3));
  if (kind === 'label') {
    memo.messageHeader.label = 'x'.repeat(40_000_000);
    return serializeMemoToBytes(memo, WRITE);
  }
  const file = memo.messageBody?.mainDocument.files[0];
  if (file !== undefined) file.content = pdfBytes(HUGE_FILE_BYTES, 4);
  const xml = serializeMemo(memo, WRITE);
  const base64 = Buffer.from(file?.content ?? []).toString('base64');
  const written =
    kind === 'plain'
      ? base64
      : kind === 'reference'
        ? `&#${base64.charCodeAt(0)};${base64.slice(1)}`
        : `<![CDATA[${(base64.match(/.{1,76}/g) ?? []).join('\r\n')}]]>`;
  return Buffer.from(
    xml.replace(base64, () => written),
    'utf8',
  );
}

type HugeKind = 'plain' | 'reference' | 'cdata' | 'label';
/** The file of the maximal message: its MeMo is ~99 MB (base64 is 4/3 of it). */
const HUGE_FILE_BYTES = 74_000_000;
const HUGE: Readonly<Record<HugeKind, string>> = {
  plain: '99 MB, plain base64',
  reference: '99 MB, one character reference in the base64',
  cdata: '99 MB, base64 in CDATA with CRLF every 76 characters',
  label: '40 MB label (refused)',
};

const probes = {
  'huge/validateMemo(Buffer)': () => {
    const bytes = readFileSync(inputPath());
    return () => validateMemo(bytes);
  },
  'large/serializeMemo': () => {
    const memo = largeMemo();
    return () => serializeMemo(memo, WRITE);
  },
  'large/serializeMemoToBytes': () => {
    const memo = largeMemo();
    return () => serializeMemoToBytes(memo, WRITE);
  },
  'large/parseMemo(Buffer)': () => {
    const bytes = readFileSync(inputPath());
    return () => parseMemo(bytes);
  },
};

if (!runProbeIfRequested(probes)) await main();

// ---------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const small = smallMemo();
  const smallCheck = validateMemo(small);
  if (!smallCheck.valid)
    throw new Error(`the small fixture is invalid: ${JSON.stringify(smallCheck.issues)}`);
  const smallXml = serializeMemo(small, WRITE);
  const smallBytes = Buffer.from(smallXml, 'utf8');
  const indentedXml = serializeMemo(small, INDENTED);
  const smallTree = fxpParser.parse(smallXml);
  parseMemo(smallXml); // throws if the document does not read back

  const LIKE = 'fxp validate+parse';
  const PLAIN = 'fxp parse';

  const smallParse = await runSuite(
    [
      { name: 'small/parseMemo(string)', fn: () => parseMemo(smallXml), baseline: `small/${LIKE}` },
      { name: 'small/parseMemo(Buffer)', fn: () => parseMemo(smallBytes), baseline: `small/${LIKE}` },
      { name: 'small/validateMemo(string)', fn: () => validateMemo(smallXml), baseline: `small/${LIKE}` },
      { name: 'small/validateMemo(model)', fn: () => validateMemo(small) },
      { name: `small/${LIKE}`, fn: () => fxpValidateAndParse(smallXml), baseline: `small/${LIKE}` },
      { name: `small/${PLAIN}`, fn: () => fxpParser.parse(smallXml), baseline: `small/${LIKE}` },
      { name: 'small/xml2js parse', fn: () => xml2jsParse(smallXml), baseline: `small/${LIKE}` },
      {
        name: 'small/parseMemo(string, indented)',
        fn: () => parseMemo(indentedXml),
        baseline: `small/${LIKE} (indented)`,
      },
      {
        name: `small/${LIKE} (indented)`,
        fn: () => fxpValidateAndParse(indentedXml),
        baseline: `small/${LIKE} (indented)`,
      },
    ],
    { rounds: 11 },
  );
  const smallWrite = await runSuite([
    { name: 'small/serializeMemo', fn: () => serializeMemo(small, WRITE), baseline: 'small/fxp build' },
    {
      name: 'small/serializeMemoToBytes',
      fn: () => serializeMemoToBytes(small, WRITE),
      baseline: 'small/fxp build',
    },
    { name: 'small/fxp build', fn: () => fxpBuilder.build(smallTree), baseline: 'small/fxp build' },
  ]);
  // The large fixtures are made only now, so that the small cases run in a small heap.
  const large = largeMemo();
  const largeBytes = serializeMemoToBytes(large, WRITE);
  const largeXml = largeBytes.toString('utf8');
  const largeSize = largeBytes.length;
  // The same document with its base64 wrapped at 76 columns, as MIME encoders (Java, .NET) write it.
  const wrappedBytes = wrapBase64(largeXml);
  const largeTree = fxpParser.parse(largeXml);
  if (parseMemo(largeBytes).messageBody?.mainDocument.files[0]?.content.length !== LARGE_PDF_BYTES) {
    throw new Error('the large fixture does not read back');
  }
  const slow = { warmupMs: 300, sampleMs: 500, rounds: 5, minIterations: 1 };
  const largeParse = await runSuite(
    [
      { name: 'large/parseMemo(Buffer)', fn: () => parseMemo(largeBytes), baseline: `large/${LIKE}` },
      { name: 'large/parseMemo(string)', fn: () => parseMemo(largeXml), baseline: `large/${LIKE}` },
      {
        name: 'large/parseMemo(Buffer, base64 wrapped)',
        fn: () => parseMemo(wrappedBytes),
        baseline: `large/${LIKE}`,
      },
      { name: 'large/validateMemo(Buffer)', fn: () => validateMemo(largeBytes), baseline: `large/${LIKE}` },
      { name: `large/${LIKE}`, fn: () => fxpValidateAndParse(largeXml), baseline: `large/${LIKE}` },
      { name: `large/${PLAIN}`, fn: () => fxpParser.parse(largeXml), baseline: `large/${LIKE}` },
      { name: 'large/xml2js parse', fn: () => xml2jsParse(largeXml), baseline: `large/${LIKE}` },
    ],
    slow,
  );
  const largeWrite = await runSuite(
    [
      { name: 'large/serializeMemo', fn: () => serializeMemo(large, WRITE), baseline: 'large/fxp build' },
      {
        name: 'large/serializeMemoToBytes',
        fn: () => serializeMemoToBytes(large, WRITE),
        baseline: 'large/fxp build',
      },
      { name: 'large/fxp build', fn: () => fxpBuilder.build(largeTree), baseline: 'large/fxp build' },
    ],
    slow,
  );

  // Peak RSS growth per operation, each in fresh processes.
  const directory = mkdtempSync(join(tmpdir(), 'digitalpost-bench-'));
  const rss = new Map<string, number>();
  try {
    const input = join(directory, 'large.xml');
    writeFileSync(input, largeBytes);
    for (const probe of Object.keys(probes)) {
      rss.set(probe, rssProbe(import.meta.filename, probe, 3, [`--input=${input}`]).growth);
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }

  const hugeRows = measureHuge();

  const find = (list: Measurement[], name: string): Measurement => {
    const found = list.find((m) => m.name === name);
    if (found === undefined) throw new Error(`no measurement ${name}`);
    return found;
  };
  /** Like `ratio`, but relative to fast-xml-parser's parse alone. */
  const plainRatio = (list: Measurement[], m: Measurement, group: string): number => {
    const plain = find(list, `${group}/${PLAIN}`).samples;
    return median(m.samples.map((ops, i) => ops / (plain[i] as number)));
  };

  const RATIO_TARGET = 0.7;
  const MS_TARGET = 150;
  const RSS_TARGET = 4;

  const smallRows: Row[] = smallParse.map((m) => {
    const extra: Partial<Row> = {};
    if (m.name === 'small/parseMemo(string)' || m.name === 'small/validateMemo(string)') {
      extra.target = `≥ ${RATIO_TARGET * 100} % of ${LIKE}`;
      extra.pass = (m.ratio ?? 0) >= RATIO_TARGET;
    }
    if (m.baseline !== undefined && !m.name.endsWith(PLAIN) && !m.name.includes('indented')) {
      extra.note = `${(plainRatio(smallParse, m, 'small') * 100).toFixed(1)} % of ${PLAIN} (parse alone, no well-formedness check)`;
    }
    return rowOf(m, extra);
  });
  smallRows.push(...smallWrite.map((m) => rowOf(m)));

  const largeTargets = new Set([
    'large/parseMemo(Buffer)',
    'large/serializeMemo',
    'large/serializeMemoToBytes',
  ]);
  const largeRows: Row[] = [...largeParse, ...largeWrite].map((m) => {
    if (!largeTargets.has(m.name)) return rowOf(m);
    const growth = rss.get(m.name) ?? Number.NaN;
    const growthX = growth / largeSize;
    return rowOf(m, {
      rssGrowthMB: toMB(growth),
      rssGrowthX: round(growthX, 2),
      target: `< ${MS_TARGET} ms, RSS < ${RSS_TARGET}×`,
      pass: m.ms < MS_TARGET && growthX < RSS_TARGET,
      note: `${m.ms.toFixed(1)} ms (${m.ms < MS_TARGET ? 'pass' : 'FAIL'}), peak RSS +${toMB(growth).toFixed(1)} MiB = ${growthX.toFixed(2)}× the ${toMB(largeSize).toFixed(1)} MiB message (${growthX < RSS_TARGET ? 'pass' : 'FAIL'})`,
    });
  });

  if (!args.json) {
    process.stdout.write(
      `small message: ${smallBytes.length.toLocaleString('en-US')} bytes of XML; large message: ${largeSize.toLocaleString('en-US')} bytes (a ${toMB(LARGE_PDF_BYTES)} MiB PDF)\n` +
        `ratio: median of per-round ratios to the "vs" case; ${LIKE} = XMLValidator.validate + parse with the reader's options (the like-for-like ceiling); ${PLAIN} = parse alone\n\n`,
    );
  }
  report('MeMo library', [
    { heading: `Small message (${smallBytes.length.toLocaleString('en-US')} bytes)`, rows: smallRows },
    {
      heading: `Large message (${toMB(largeSize).toFixed(1)} MiB, one ${toMB(LARGE_PDF_BYTES)} MiB PDF)`,
      rows: largeRows,
    },
    { heading: 'Maximal and hostile messages: validateMemo, one cold run each', rows: hugeRows },
  ]);
}

/** Peak RSS growth and time of `validateMemo` on each huge message, in fresh processes. */
function measureHuge(): Row[] {
  const RSS_TARGET = 3;
  const directory = mkdtempSync(join(tmpdir(), 'digitalpost-bench-'));
  try {
    return (Object.keys(HUGE) as HugeKind[]).map((kind) => {
      const input = join(directory, `${kind}.xml`);
      const bytes = hugeMessage(kind);
      writeFileSync(input, bytes);
      const size = bytes.length;
      const result = validateMemo(bytes);
      const outcome = result.valid ? 'valid' : result.issues.map((issue) => issue.code).join(', ');
      const measured = rssProbe(import.meta.filename, 'huge/validateMemo(Buffer)', 3, [`--input=${input}`]);
      const growthX = measured.growth / size;
      return {
        name: `huge/${HUGE[kind]}`,
        opsPerSec: null,
        ratio: null,
        ms: round(measured.coldMs, 1),
        rssGrowthMB: toMB(measured.growth),
        rssGrowthX: round(growthX, 2),
        target: `RSS < ${RSS_TARGET}×`,
        pass: growthX < RSS_TARGET,
        note: `${size.toLocaleString('en-US')} bytes; ${outcome}; ${measured.coldMs.toFixed(0)} ms, peak RSS +${toMB(measured.growth).toFixed(1)} MiB = ${growthX.toFixed(2)}× the message`,
      };
    });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
