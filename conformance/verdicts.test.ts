import { describe, expect, it } from 'vitest';
import { type CheckInfo, exitCodeOf, NOT_APPLICABLE } from './model.ts';
import { selectChecks } from './selection.ts';
import { Findings, resultsOf, summaryOf } from './verdicts.ts';

const check = (id: string, level: 'MUST' | 'SHOULD' = 'MUST'): CheckInfo => ({
  id,
  profile: 'sender',
  level,
  title: `${id} holds`,
  clause: 'test',
});
const CATALOGUE = [check('sender.a'), check('sender.b'), check('sender.c', 'SHOULD'), check('sender.d')];
const unjudged = () => 'nothing gave it occasion';

function fold(findings: Findings, options: Parameters<typeof selectChecks>[1] = {}) {
  return resultsOf(CATALOGUE, selectChecks(CATALOGUE, options), findings, unjudged);
}

describe('folding what scenarios found into one status per check', () => {
  it('passes a check that held in every scenario that judged it, naming them', () => {
    const findings = new Findings();
    findings.add('sender.a', { scenario: 'one', judgement: [] });
    findings.add('sender.a', { scenario: 'two', judgement: NOT_APPLICABLE });
    findings.add('sender.a', { scenario: 'three', judgement: [] });
    expect(fold(findings)[0]).toMatchObject({
      status: 'passed',
      message: 'held in 2 scenarios (one, three)',
    });
  });

  it('fails a check that one scenario found broken, with that scenario in the reason and its evidence', () => {
    const findings = new Findings();
    findings.add('sender.a', { scenario: 'one', judgement: [] });
    findings.add('sender.a', {
      scenario: 'two',
      judgement: [{ message: 'L1 went twice', evidence: [{ method: 'POST', note: 'second' }] }],
    });
    expect(fold(findings)[0]).toMatchObject({
      status: 'failed',
      message: '[two] L1 went twice',
      evidence: [{ method: 'POST', note: '[two] second' }],
    });
  });

  it('skips a selected check no scenario could judge, saying why', () => {
    const findings = new Findings();
    findings.add('sender.b', { scenario: 'one', judgement: NOT_APPLICABLE });
    expect(fold(findings)[1]).toMatchObject({ status: 'skipped', message: 'nothing gave it occasion' });
  });

  it('skips checks left out by --only and --skip', () => {
    const results = fold(new Findings(), { only: ['sender.a', 'sender.b'], skip: ['sender.b'] });
    expect(results.map((result) => [result.id, result.status, result.message])).toEqual([
      ['sender.a', 'skipped', 'nothing gave it occasion'],
      ['sender.b', 'skipped', 'skipped (--skip)'],
      ['sender.c', 'skipped', 'not selected (--only)'],
      ['sender.d', 'skipped', 'not selected (--only)'],
    ]);
  });

  it('turns an expected failure into xfailed, and an expected failure that held into xpassed', () => {
    const findings = new Findings();
    findings.add('sender.a', { scenario: 'one', judgement: [{ message: 'broken', evidence: [] }] });
    findings.add('sender.b', { scenario: 'one', judgement: [] });
    const results = fold(findings, { expectedFailures: ['sender.a', 'sender.b'] });
    expect(results.slice(0, 2).map((result) => result.status)).toEqual(['xfailed', 'xpassed']);
  });

  it('counts the statuses for the summary', () => {
    const findings = new Findings();
    findings.add('sender.a', { scenario: 'one', judgement: [] });
    findings.add('sender.b', { scenario: 'one', judgement: [{ message: 'broken', evidence: [] }] });
    expect(summaryOf(fold(findings))).toEqual({ passed: 1, failed: 1, skipped: 2, xfailed: 0, xpassed: 0 });
  });
});

describe('the exit code of a report', () => {
  const result = (level: 'MUST' | 'SHOULD', status: 'passed' | 'failed' | 'xfailed' | 'xpassed') => ({
    ...check('sender.a', level),
    status,
    message: '',
    evidence: [],
  });

  it('is 0 when every MUST check held, whatever the SHOULD checks did', () => {
    expect(exitCodeOf({ checks: [result('MUST', 'passed'), result('SHOULD', 'failed')] })).toBe(0);
  });

  it('is 0 when a MUST check failed as expected', () => {
    expect(exitCodeOf({ checks: [result('MUST', 'xfailed')] })).toBe(0);
  });

  it('is 1 when a MUST check failed', () => {
    expect(exitCodeOf({ checks: [result('MUST', 'failed')] })).toBe(1);
  });

  it('is 1 when an expected failure passed, MUST or SHOULD: the expectations file must shrink', () => {
    expect(exitCodeOf({ checks: [result('SHOULD', 'xpassed')] })).toBe(1);
  });
});
