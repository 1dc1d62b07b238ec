/**
 * The sender-sftp profile against deliberately broken adapters: each fails exactly the checks its
 * mistake breaks, in the scenarios that show it, and passes the rest those scenarios judge.
 */
import { describe, expect, it } from 'vitest';
import { brokenSftpAdapter, failedIds, failureLines, runSenderSftp } from './support/conformance/adapters.ts';
import { BROKEN_SFTP_CASES } from './support/conformance/broken-sftp-cases.ts';

describe('a broken SFTP sender', () => {
  for (const each of BROKEN_SFTP_CASES) {
    it(`that ${each.mistake} fails ${each.fails.join(', ')}`, { timeout: 180_000 }, async () => {
      const report = await runSenderSftp(brokenSftpAdapter(each.kind), {
        scenarios: each.scenarios,
        ...(each.timeoutS === undefined ? {} : { timeoutS: each.timeoutS }),
      });
      expect(failedIds(report), failureLines(report)).toEqual([...each.fails].sort());
    });
  }
});
