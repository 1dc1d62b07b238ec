/**
 * System fetches (`engine.systemFetches`, admin.md §11): a system of an organisation counts and
 * moves the letters in the organisation's own mailbox to one of its contact points. Testbutik ApS
 * (CVR 11223344) has no system in the seed, so letters to it land in its mailbox; the tests then
 * give it a recipient system and a contact point.
 */
import { describe, expect, it } from 'vitest';
import { HOUR, rejectionOf, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';
import { mailboxIdOf } from '../domain/system-fetches.ts';

const CVR = '11223344';
const MAILBOX = mailboxIdOf(SEED_IDS.companyWithoutSystem);

/** Two letters in Testbutik's mailbox (an hour apart), then a recipient system and contact point. */
async function companyWithPost() {
  const setup = testEngine();
  const { engine, letter, send } = setup;
  const first = await send(await letter({ cvr: CVR }));
  await engine.advanceClock(HOUR);
  const second = await send(await letter({ cvr: CVR }));
  const { system } = engine.systems.create({
    organisationId: SEED_IDS.companyWithoutSystem,
    roles: ['RECIPIENT'],
    protocol: 'REST_PULL',
  });
  const point = engine.directory.createContactPoint({
    organisationId: SEED_IDS.companyWithoutSystem,
    name: 'Indbakke',
    systemId: system.id,
  });
  return { ...setup, system, point, letters: [first.messageUUID, second.messageUUID] };
}

describe('counting', () => {
  it('counts the letters in the mailbox, of a period when given', async () => {
    const { engine, system } = await companyWithPost();

    expect(engine.systemFetches.count(system, MAILBOX).totalMessages).toBe(2);
    expect(
      engine.systemFetches.count(system, MAILBOX, new Date(START + HOUR / 2).toISOString()).totalMessages,
    ).toBe(1);
    expect(
      engine.systemFetches.count(system, MAILBOX, undefined, new Date(START).toISOString()).totalMessages,
    ).toBe(1);
  });

  it("is refused for another organisation's mailbox as not found", async () => {
    const { engine, system } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.systemFetches.count(system(SEED_IDS.senderPull), MAILBOX),
    );

    expect(rejection.kind).toBe('not-found');
  });

  it('refuses a period that ends before it begins', async () => {
    const { engine, system } = await companyWithPost();

    const rejection = await rejectionOf(() =>
      engine.systemFetches.count(system, MAILBOX, '2025-06-03T00:00:00Z', '2025-06-02T00:00:00Z'),
    );

    expect(rejection.fieldErrors[0]).toMatchObject({ field: 'fromDateTime', code: 'INVALID_PERIOD' });
  });
});

describe('a system fetch', () => {
  it('moves every letter of the period at once: FINISHED, counted, and out of the count', async () => {
    const { engine, system, point } = await companyWithPost();

    const fetch = engine.systemFetches.create(system, MAILBOX, {
      organisationId: SEED_IDS.companyWithoutSystem,
      contactPointId: point.id,
    });

    expect(fetch).toMatchObject({
      mailboxId: MAILBOX,
      systemId: system.id,
      status: 'FINISHED',
      totalMessages: 2,
      fetchedMessages: 2,
      failedMessages: 0,
      toDateTime: START + HOUR,
      version: 1,
    });
    expect(engine.systemFetches.count(system, MAILBOX).totalMessages).toBe(0);
    expect(engine.systemFetches.list(system, MAILBOX, undefined)).toEqual([fetch]);
  });

  it('takes the letters it moved out of the mailbox', async () => {
    const { engine, system, point, mailbox } = await companyWithPost();

    engine.systemFetches.create(system, MAILBOX, {
      organisationId: SEED_IDS.companyWithoutSystem,
      contactPointId: point.id,
    });

    expect(mailbox(CVR)).toEqual([]);
  });

  it('leaves MEMO_SYSTEM_FETCHED on each letter it moved', async () => {
    const { engine, system, point, letters, tags } = await companyWithPost();

    engine.systemFetches.create(system, MAILBOX, {
      organisationId: SEED_IDS.companyWithoutSystem,
      contactPointId: point.id,
      fromDateTime: new Date(START + HOUR).toISOString(),
    });

    expect(tags(letters[1] as string)).toContain('MEMO_SYSTEM_FETCHED');
    expect(tags(letters[0] as string)).not.toContain('MEMO_SYSTEM_FETCHED');
  });

  it('cannot be changed once ended, but can be deleted from the history', async () => {
    const { engine, system, point } = await companyWithPost();
    const fetch = engine.systemFetches.create(system, MAILBOX, {
      organisationId: SEED_IDS.companyWithoutSystem,
      contactPointId: point.id,
    });

    const refused = await rejectionOf(() => engine.systemFetches.update(system, MAILBOX, fetch.id));
    engine.systemFetches.delete(system, MAILBOX, fetch.id);

    expect([refused.kind, refused.code]).toEqual(['unprocessable', 'SYSTEM_FETCH_ENDED']);
    expect(engine.systemFetches.list(system, MAILBOX, undefined)).toEqual([]);
    expect(engine.systemFetches.count(system, MAILBOX).totalMessages).toBe(0);
  });

  it('is refused for a contact point without a system as not usable (422)', async () => {
    const { engine, system } = await companyWithPost();
    const bare = engine.directory.createContactPoint({
      organisationId: SEED_IDS.companyWithoutSystem,
      name: 'Tom',
    });

    const rejection = await rejectionOf(() =>
      engine.systemFetches.create(system, MAILBOX, {
        organisationId: SEED_IDS.companyWithoutSystem,
        contactPointId: bare.id,
      }),
    );

    expect([rejection.kind, rejection.code]).toEqual(['unprocessable', 'CONTACT_POINT_NOT_USABLE']);
  });

  it('is refused for an inactive contact point as not usable (422)', async () => {
    const { engine, system, point } = await companyWithPost();
    engine.directory.updateContactPoint(point.id, { active: false });

    const rejection = await rejectionOf(() =>
      engine.systemFetches.create(system, MAILBOX, {
        organisationId: SEED_IDS.companyWithoutSystem,
        contactPointId: point.id,
      }),
    );

    expect([rejection.code, rejection.message]).toEqual([
      'CONTACT_POINT_NOT_USABLE',
      `contact point ${point.id} is not active`,
    ]);
  });

  it('refuses a period that ends before it begins', async () => {
    const { engine, system, point } = await companyWithPost();

    const rejection = await rejectionOf(() =>
      engine.systemFetches.create(system, MAILBOX, {
        organisationId: SEED_IDS.companyWithoutSystem,
        contactPointId: point.id,
        fromDateTime: '2025-06-03T00:00:00Z',
        toDateTime: '2025-06-02T00:00:00Z',
      }),
    );

    expect(rejection.fieldErrors[0]).toMatchObject({ resource: 'systemFetch', code: 'INVALID_PERIOD' });
  });

  it.each([
    [{ contactPointId: 'x' }, 'organisationId', 'REQUIRED'],
    [{ organisationId: SEED_IDS.authority }, 'organisationId', 'MISMATCH'],
    [{ organisationId: SEED_IDS.companyWithoutSystem }, 'contactPointId', 'REQUIRED'],
    [
      { organisationId: SEED_IDS.companyWithoutSystem, contactPointId: SEED_IDS.contactPoint },
      'contactPointId',
      'NOT_FOUND',
    ],
    [{ mailboxId: SEED_IDS.authority }, 'mailboxId', 'MISMATCH'],
    [{ moveEverything: true }, 'moveEverything', 'UNKNOWN_FIELD'],
  ])('refuses %j at %s (%s)', async (body, field, code) => {
    const { engine, system } = await companyWithPost();

    const rejection = await rejectionOf(() => engine.systemFetches.create(system, MAILBOX, body));

    expect(rejection.kind).toBe('invalid');
    expect(rejection.fieldErrors[0]).toMatchObject({ field, code });
  });

  it.each([
    ['preferOriginalMessageRecipient', 'yes', 'INVALID_FORMAT'],
    ['fromDateTime', '2025-06-02', 'INVALID_FORMAT'],
    ['toDateTime', 'tomorrow', 'INVALID_FORMAT'],
  ])('refuses %s %j (%s)', async (field, value, code) => {
    const { engine, system, point } = await companyWithPost();

    const rejection = await rejectionOf(() =>
      engine.systemFetches.create(system, MAILBOX, {
        organisationId: SEED_IDS.companyWithoutSystem,
        contactPointId: point.id,
        [field]: value,
      }),
    );

    expect(rejection.fieldErrors[0]).toMatchObject({ field, code });
  });

  it('lists only the fetches created on or after fromDate', async () => {
    const { engine, system, point } = await companyWithPost();
    engine.systemFetches.create(system, MAILBOX, {
      organisationId: SEED_IDS.companyWithoutSystem,
      contactPointId: point.id,
    });

    expect(engine.systemFetches.list(system, MAILBOX, '2025-06-02')).toHaveLength(1);
    expect(engine.systemFetches.list(system, MAILBOX, '2025-06-03')).toEqual([]);
    expect(
      (await rejectionOf(() => engine.systemFetches.list(system, MAILBOX, '2.6.2025'))).fieldErrors[0],
    ).toMatchObject({
      field: 'fromDate',
    });
  });
});
