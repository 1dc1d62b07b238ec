/** A report with a check of every status, for the reporters' tests. */
import type { CheckResult, ConformanceReport } from '../../../conformance/index.ts';

const base = { profile: 'sender' as const, clause: 'NgDP API POST /memos/ (OpenAPI 1.68 SendMemo)' };

export const SAMPLE_CHECKS: CheckResult[] = [
  {
    ...base,
    id: 'sender.memo.valid',
    level: 'MUST',
    title: 'Every MeMo the system sends is valid',
    status: 'passed',
    message: 'held in 2 scenarios (everyday, lost-answer-after)',
    evidence: [],
  },
  {
    ...base,
    id: 'sender.retry.same-uuid',
    level: 'MUST',
    title: 'A send whose answer was lost is sent again with the same messageUUID',
    status: 'failed',
    message:
      '[lost-answer-after] the answer to sending 3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90 was lost & <never> sent again',
    evidence: [
      {
        at: '2026-06-01T10:00:00.123Z',
        method: 'POST',
        path: '/apis/v1/memos/?memo-message-uuid=3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90',
        status: null,
        messageUUID: '3f2b8c1e-9d4a-4e7b-a1c5-6d8e2f4b7a90',
        note: '[lost-answer-after] no answer',
      },
      { note: '[lost-answer-after] stderr (end): boom\u001b[2J\u0007 "quoted" </failure>' },
    ],
  },
  {
    ...base,
    id: 'sender.memo.label',
    level: 'SHOULD',
    title: 'Each MeMo’s label is the letter’s label',
    status: 'failed',
    message: '[everyday] L1 (to 0101700001) is labelled "Brev", not "Afgørelse (L1)"',
    evidence: [{ messageUUID: '9a1d4c7e-2b3f-4d5a-9e8c-7f6a5b4c3d2e', note: '[everyday] label' }],
  },
  {
    ...base,
    id: 'sender.receipts.push-answered',
    level: 'MUST',
    title: 'Every receipt NgDP pushes is answered 2xx',
    status: 'skipped',
    message: 'judged only when receipts are pushed (--receipts push --receipt-endpoint URL)',
    evidence: [],
  },
  {
    ...base,
    id: 'sender.rate.polling',
    level: 'MUST',
    title: 'Receipts are polled without a storm',
    status: 'xfailed',
    message: '[slow-receipts] 412 receipt list requests within 10 s',
    evidence: [{ note: '[slow-receipts] first of the window' }],
  },
  {
    ...base,
    id: 'sender.auth.header-only',
    level: 'MUST',
    title: 'The API key travels only in the Authorization header',
    status: 'xpassed',
    message: 'expected to fail, but held in 1 scenario (everyday)',
    evidence: [],
  },
];

export function sampleReport(checks: CheckResult[] = SAMPLE_CHECKS): ConformanceReport {
  const count = (status: CheckResult['status']): number =>
    checks.filter((check) => check.status === status).length;
  return {
    tool: 'digitalpost',
    version: '0.1.0',
    profile: 'sender',
    seed: 1234,
    certify: false,
    chaos: true,
    startedAt: '2026-06-01T10:00:00.000Z',
    durationMs: 5123,
    summary: {
      passed: count('passed'),
      failed: count('failed'),
      skipped: count('skipped'),
      xfailed: count('xfailed'),
      xpassed: count('xpassed'),
    },
    checks,
  };
}
