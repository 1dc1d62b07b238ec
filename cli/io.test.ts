/** What commands write to stderr, as JSON Lines under --json. */
import { describe, expect, it } from 'vitest';
import { jsonStderr } from './io.ts';

function converted(...writes: string[]): unknown[] {
  let out = '';
  const write = jsonStderr((text) => {
    out += text;
  });
  for (const text of writes) write(text);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

describe('jsonStderr', () => {
  it('turns each kind of line into its JSON object', () => {
    expect(
      converted(
        'digitalpost: warning: the host key was not checked\n',
        'digitalpost: progress: 3/10 files\n',
        'digitalpost: a.xml: not sent: bad\n',
        '2025-06-02T08:00:00.000Z POST /apis/v1/memos/ 201\n',
      ),
    ).toEqual([
      { warning: { message: 'the host key was not checked' } },
      { progress: { message: '3/10 files' } },
      { error: { code: 'ITEM_FAILED', message: 'a.xml: not sent: bad' } },
      { log: { message: '2025-06-02T08:00:00.000Z POST /apis/v1/memos/ 201' } },
    ]);
  });

  it('collects a line written in pieces, and passes JSON lines through', () => {
    expect(converted('digitalpost: one ', 'line\n{"debug":{"method":"GET"}}\n')).toEqual([
      { error: { code: 'ITEM_FAILED', message: 'one line' } },
      { debug: { method: 'GET' } },
    ]);
  });

  it('escapes control characters in what it quotes', () => {
    let out = '';
    jsonStderr((text) => {
      out += text;
    })('digitalpost: \x1b[2Jcleared\n');
    expect(out).toBe('{"error":{"code":"ITEM_FAILED","message":"\\u001b[2Jcleared"}}\n');
  });
});
