/**
 * The report formats users' CI reads: the console report's lines, the JSON report against the
 * spec's shape, the JUnit XML read back with a real XML parser, and the HTML page (in Chromium:
 * reporters.browser.test.ts).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA } from '../../test/support/conformance/report-schema.ts';
import { sampleReport } from '../../test/support/conformance/reports.ts';
import { schemaProblems } from '../../test/support/json-schema.ts';
import { formatConsoleReport } from './console.ts';
import { formatHtmlReport } from './html.ts';
import { formatJsonReport } from './json.ts';
import { formatJUnitReport } from './junit.ts';

const report = sampleReport();

describe('the console report', () => {
  const text = formatConsoleReport(report, {
    rerun: 'digitalpost conformance run --profile sender --seed 1234',
  });
  const lines = text.split('\n');

  it('has one line per check: status, id and title', () => {
    expect(lines).toContain('PASS  sender.memo.valid  Every MeMo the system sends is valid');
    expect(lines).toContain(
      'FAIL  sender.retry.same-uuid  A send whose answer was lost is sent again with the same messageUUID',
    );
    expect(lines).toContain('SKIP  sender.receipts.push-answered  Every receipt NgDP pushes is answered 2xx');
    expect(lines).toContain('XFAIL sender.rate.polling  Receipts are polled without a storm');
    expect(lines).toContain(
      'XPASS sender.auth.header-only  The API key travels only in the Authorization header',
    );
  });

  it('marks a SHOULD failure as a warning', () => {
    expect(lines).toContain(
      'FAIL  sender.memo.label  Each MeMo’s label is the letter’s label (SHOULD: a warning)',
    );
  });

  it('then gives each failure with its reason and evidence, control characters escaped', () => {
    const failures = text.slice(text.indexOf('Failures:'));
    expect(failures).toContain('FAIL sender.retry.same-uuid [MUST]');
    expect(failures).toContain('was lost & <never> sent again');
    expect(failures).toContain(
      '10:00:00.123 POST /apis/v1/memos/?memo-message-uuid=3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90 → no answer',
    );
    expect(failures).toContain('boom\\x1b[2J\\x07');
    expect(failures).toContain('XPASS sender.auth.header-only [MUST]');
  });

  it('ends with the summary line and, for a failing run, the command that repeats it', () => {
    expect(lines.at(-3)).toBe('1 passed, 2 failed, 1 skipped (1 xfailed, 1 xpassed)');
    expect(lines.at(-2)).toBe('Repeat this run: digitalpost conformance run --profile sender --seed 1234');
  });
});

describe('the JSON report', () => {
  it('is the report object, in the shape conformance.md gives', () => {
    const parsed: unknown = JSON.parse(formatJsonReport(report));
    expect(schemaProblems(REPORT_SCHEMA, parsed)).toEqual([]);
    expect(parsed).toEqual(report);
  });

  it('keeps control characters escaped in the text, yet parses to the same strings', () => {
    const json = formatJsonReport(report);
    expect(json).not.toContain(String.fromCharCode(0x1b));
    expect(JSON.parse(json)).toEqual(report);
  });

  it('the schema itself catches a report that drifts from the spec', () => {
    const drifted = { ...report, checks: [{ ...report.checks[0], status: 'ok' }], extra: 1 };
    expect(schemaProblems(REPORT_SCHEMA, drifted).sort()).toEqual([
      '$.checks[0].status: "ok" is not one of ["passed","failed","skipped","xfailed","xpassed"]',
      '$: extra is not in the schema',
    ]);
  });
});

describe('the JUnit XML report', () => {
  const xml = formatJUnitReport(report);
  const parsed = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testcase',
  }).parse(xml) as {
    testsuites: {
      testsuite: {
        name: string;
        tests: string;
        failures: string;
        skipped: string;
        testcase: Array<{
          classname: string;
          name: string;
          failure?: { message: string; type: string; '#text': string };
          skipped?: { message: string };
        }>;
      };
    };
  };
  const suite = parsed.testsuites.testsuite;
  const testcase = (id: string) => suite.testcase.find((candidate) => candidate.name.startsWith(`${id} `));

  it('is well-formed XML, even with control characters from the vendor’s stderr', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('has one testsuite for the profile with the counts, and one testcase per check', () => {
    expect(suite).toMatchObject({ name: 'sender', tests: '6', failures: '3', skipped: '2' });
    expect(suite.testcase).toHaveLength(6);
    expect(testcase('sender.memo.valid')).toEqual({
      classname: 'sender',
      name: 'sender.memo.valid Every MeMo the system sends is valid',
      time: '0',
    });
  });

  it('gives a failure its reason as message and the evidence as text', () => {
    const failure = testcase('sender.retry.same-uuid')?.failure;
    expect(failure?.message).toContain('was lost & <never> sent again');
    expect(failure?.type).toBe('MUST');
    expect(failure?.['#text']).toContain('→ no answer');
  });

  it('shows skipped checks and expected failures as skipped, an expected failure that passed as a failure', () => {
    expect(testcase('sender.receipts.push-answered')?.skipped?.message).toContain(
      'judged only when receipts are pushed',
    );
    expect(testcase('sender.rate.polling')?.skipped?.message).toMatch(/^expected failure: /);
    expect(testcase('sender.auth.header-only')?.failure?.type).toBe('XPASS');
  });
});

describe('the HTML report', () => {
  const html = formatHtmlReport(report);

  it('is one page with no external assets', () => {
    expect(html).not.toMatch(/<(link|img|iframe)\b/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes what came from the vendor', () => {
    expect(html).toContain('&#60;never&#62;');
    expect(html).not.toContain('</failure>');
    expect(html).not.toContain(String.fromCharCode(0x1b));
  });
});
