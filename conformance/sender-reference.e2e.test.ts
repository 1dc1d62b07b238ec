/**
 * The reference sender passes: examples/conformance-sender.ts, the adapter the docs point vendors
 * to, passes every check a run can judge with chaos on, under several seeds, with receipts
 * pulled and with receipts pushed to its own endpoint — every scenario of the profile, each run a
 * whole `runConformance` as a vendor's CI would make it.
 */
import { describe, expect, it } from 'vitest';
import {
  failedIds,
  failureLines,
  REFERENCE_ADAPTER,
  runSender,
} from '../test/support/conformance/adapters.ts';
import { REPORT_SCHEMA } from '../test/support/conformance/report-schema.ts';
import { schemaProblems } from '../test/support/json-schema.ts';
import { SENDER_CHECK_IDS } from './checks/sender/ids.ts';
import { type ConformanceReport, exitCodeOf } from './model.ts';

/** Three seeds: three different draws of chaos (503s, late receipts, page sizes) in every scenario. */
const SEEDS = [7, 4_711, 20_261_207] as const;
/** A whole run takes ~25 s, most of it the adapter waiting as the scenarios ask; room for a loaded machine. */
const RUN_TIMEOUT_MS = 240_000;

const PUSH_CHECKS = ['sender.receipts.push-answered', 'sender.receipts.push-idempotent'];
/** The checks that look at polling: a system whose receipts are pushed does not poll. */
const PULL_CHECKS = ['sender.receipts.polled', 'sender.receipts.acknowledged', 'sender.rate.polling'];

const withStatus = (report: ConformanceReport, status: string): string[] =>
  report.checks
    .filter((check) => check.status === status)
    .map((check) => check.id)
    .sort();

describe.concurrent('the reference sender, receipts pulled, chaos on', () => {
  for (const seed of SEEDS) {
    it(`passes every check but the two about pushed receipts (skipped) under seed ${seed}`, {
      timeout: RUN_TIMEOUT_MS,
    }, async () => {
      const report = await runSender(REFERENCE_ADAPTER, { seed });
      expect(report).toMatchObject({ seed, chaos: true });
      expect(failedIds(report), failureLines(report)).toEqual([]);
      expect(withStatus(report, 'skipped')).toEqual(PUSH_CHECKS);
      expect(withStatus(report, 'passed')).toEqual(
        SENDER_CHECK_IDS.filter((id) => !PUSH_CHECKS.includes(id)).sort(),
      );
      expect(exitCodeOf(report)).toBe(0);
      expect(schemaProblems(REPORT_SCHEMA, report)).toEqual([]);
    });
  }
});

describe.concurrent('the reference sender, receipts pushed to its endpoint, chaos on', () => {
  for (const seed of SEEDS) {
    it(`passes the pushed receipts' checks and every other but the three about polling (skipped) under seed ${seed}`, {
      timeout: RUN_TIMEOUT_MS,
    }, async () => {
      const report = await runSender(REFERENCE_ADAPTER, { seed, push: true });
      expect(failedIds(report), failureLines(report)).toEqual([]);
      expect(report.checks.filter((check) => PUSH_CHECKS.includes(check.id))).toMatchObject([
        { status: 'passed' },
        { status: 'passed' },
      ]);
      expect(withStatus(report, 'passed')).toEqual(
        SENDER_CHECK_IDS.filter((id) => !PULL_CHECKS.includes(id)).sort(),
      );
      expect(exitCodeOf(report)).toBe(0);
      expect(schemaProblems(REPORT_SCHEMA, report)).toEqual([]);
    });
  }
});
