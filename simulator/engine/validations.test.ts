/** NgDP's pre-validation as a use case: a verdict on HTML, with nothing stored; what it refuses to read. */
import { describe, expect, it } from 'vitest';
import { rejectionOf, testEngine } from '../../test/support/engine.ts';

describe('validations', () => {
  it('answers a verdict with the policy and file name, and stores nothing', async () => {
    const { engine, emitted } = testEngine();
    const before = emitted.length;

    const verdict = await engine.validations.validate(Buffer.from('<p>x'), 'STRICT', 'a.html');

    expect(verdict).toMatchObject({ approved: false, policy: 'STRICT', fileName: 'a.html' });
    expect(emitted).toHaveLength(before);
  });

  it('refuses an empty document INVALID_BODY and one over the limit MESSAGE_TOO_LARGE', async () => {
    const { engine } = testEngine();
    const { maxBytes } = engine.validations;

    expect(await rejectionOf(() => engine.validations.validate(new Uint8Array(0), 'LENIENT'))).toMatchObject({
      code: 'INVALID_BODY',
    });
    expect(
      await rejectionOf(() => engine.validations.validate(new Uint8Array(maxBytes + 1), 'LENIENT')),
    ).toMatchObject({ kind: 'too-large', code: 'MESSAGE_TOO_LARGE' });
  });
});
