/**
 * A MeMo delivered unchecked (`engine.injection.deliver`): stored as the sender's message, routed
 * straight to the recipient system and delivered by its protocol, whatever the bytes hold.
 */
import { describe, expect, it } from 'vitest';
import { rejectionOf, SEED_IDS, testEngine } from '../../test/support/engine.ts';

const RECIPIENT = SEED_IDS.companyRecipient;
const GARBAGE = Buffer.from('<not-a-memo/>');
const UUID = '0f0f0f0f-0000-4000-8000-00000000abcd';

describe('a MeMo delivered unchecked', () => {
  const injected = {
    xml: GARBAGE,
    messageUUID: UUID,
    senderSystemId: SEED_IDS.senderPull,
    recipientSystemId: RECIPIENT,
  };

  it('is offered to a PULL system as it is, bytes and all', async () => {
    const { engine, system } = testEngine();

    const message = engine.injection.deliver(injected);
    await engine.idle();

    expect(message).toMatchObject({
      messageUUID: UUID,
      state: 'READY_FOR_FETCH',
      senderSystemId: SEED_IDS.senderPull,
    });
    expect(Buffer.from(engine.recipients.fetch(system(RECIPIENT), UUID))).toEqual(GARBAGE);
  });

  it('is pushed to a REST_PUSH system as it is', async () => {
    const { engine, outbound } = testEngine();
    engine.systems.update(RECIPIENT, { protocol: 'REST_PUSH', endpoint: 'https://company.example/' });

    engine.injection.deliver(injected);
    await engine.idle();

    expect(outbound.of('memo').map((call) => Buffer.from(call.xml as Uint8Array))).toEqual([GARBAGE]);
  });

  it('is refused for a recipient system on SFTP or without a recipient role', async () => {
    const { engine } = testEngine();

    expect(
      await rejectionOf(() =>
        engine.injection.deliver({ ...injected, recipientSystemId: SEED_IDS.senderSftp }),
      ),
    ).toMatchObject({ code: 'NOT_ALLOWED_VALUE', fieldErrors: [{ field: 'recipientSystemId' }] });
  });
});
