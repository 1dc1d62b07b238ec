/**
 * Sender and recipient systems (`engine.systems`): creating one (its fields, its API key, the
 * refusals), one primary recipient system per organisation, SFTP keys, and what a change records
 * (SYSTEM_CHANGED) and tells listeners (`system-saved`).
 */
import { describe, expect, it } from 'vitest';
import { DAY, loggedEvents, rejectionOf, SEED_IDS, START, testEngine } from '../../test/support/engine.ts';
import type { SystemInput } from './systems.ts';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl tester@example';

const recipientSystem: SystemInput = {
  organisationId: SEED_IDS.companyWithoutSystem,
  name: 'Testbutik modtagersystem',
  roles: ['RECIPIENT'],
  protocol: 'REST_PUSH',
  endpoint: 'https://shop.example/memos',
};

describe('creating a system', () => {
  it('stores its fields, in operation from now', () => {
    const { engine, system } = testEngine();

    const { system: created } = engine.systems.create(recipientSystem);

    expect(system(created.id)).toMatchObject({
      organisationId: SEED_IDS.companyWithoutSystem,
      name: 'Testbutik modtagersystem',
      roles: ['RECIPIENT'],
      protocol: 'REST_PUSH',
      endpoint: 'https://shop.example/memos',
      activeFrom: START,
      sshUsername: null,
      sshPublicKeys: [],
      allowedIps: [],
    });
  });

  it('gives it an API key that authenticates it', () => {
    const { engine } = testEngine();

    const { system, apiKey } = engine.systems.create(recipientSystem);

    expect(engine.access.authenticate(`Basic ${apiKey}`, '127.0.0.1', ['RECIPIENT']).id).toBe(system.id);
  });

  it('routes a letter to the company to its new recipient system', async () => {
    const { engine, letter, send } = testEngine();
    const { system } = engine.systems.create(recipientSystem);

    const message = await send(await letter({ cvr: '11223344' }));

    expect(message.route).toEqual({
      kind: 'SYSTEM',
      systemId: system.id,
      organisationId: SEED_IDS.companyWithoutSystem,
    });
  });

  it.each<[string, SystemInput, string, string]>([
    ['an unknown organisation', { organisationId: SEED_IDS.senderPull }, 'organisationId', 'NOT_FOUND'],
    ['no roles', { roles: undefined }, 'roles', 'REQUIRED'],
    ['no protocol', { protocol: undefined }, 'protocol', 'REQUIRED'],
    ['an unknown protocol', { protocol: 'FTP' }, 'protocol', 'NOT_ALLOWED_VALUE'],
    ['an unknown role', { roles: ['READER'] }, 'roles', 'NOT_ALLOWED_VALUE'],
    ['no role at all', { roles: [] }, 'roles', 'NOT_ALLOWED_VALUE'],
    ['an endpoint that is not a URL', { endpoint: 'shop.example' }, 'endpoint', 'INVALID_FORMAT'],
    ['an empty name', { name: ' ' }, 'name', 'INVALID_FORMAT'],
    ['an activeFrom that is not a date', { activeFrom: 'soon' }, 'activeFrom', 'INVALID_FORMAT'],
    [
      'an allowed IP range of more than 32 addresses',
      { allowedIps: ['10.0.0.0/8'] },
      'allowedIps',
      'INVALID_FORMAT',
    ],
    ['an SFTP user name that is not one', { sshUsername: 'Not Valid' }, 'sshUsername', 'INVALID_FORMAT'],
    ["another system's SFTP user name", { sshUsername: 'testkommune' }, 'sshUsername', 'ALREADY_IN_USE'],
  ])('with %s is refused, naming the field', async (_, change, field, code) => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() => engine.systems.create({ ...recipientSystem, ...change }));

    expect(rejection).toMatchObject({ kind: 'invalid', code });
    expect(rejection.fieldErrors).toMatchObject([{ resource: 'system', field, code }]);
  });

  it('that is refused stores nothing', async () => {
    const { engine } = testEngine();
    const before = engine.systems.list().length;

    await rejectionOf(() => engine.systems.create({ ...recipientSystem, sshUsername: 'testkommune' }));

    expect(engine.systems.list()).toHaveLength(before);
  });
});

describe('the primary recipient system', () => {
  it('moves to a new RECIPIENT_DEFAULT system, the other one keeping RECIPIENT', () => {
    const { engine, system } = testEngine();

    const { system: created } = engine.systems.create({
      ...recipientSystem,
      organisationId: SEED_IDS.companyWithSystem,
      roles: ['RECIPIENT_DEFAULT'],
    });

    expect(system(created.id).roles).toEqual(['RECIPIENT_DEFAULT']);
    expect(system(SEED_IDS.companyRecipient).roles).toEqual(['RECIPIENT']);
  });

  it("stays with another organisation's systems", () => {
    const { engine, system } = testEngine();

    engine.systems.create({ ...recipientSystem, roles: ['RECIPIENT_DEFAULT'] });

    expect(system(SEED_IDS.companyRecipient).roles).toContain('RECIPIENT_DEFAULT');
    expect(system(SEED_IDS.authorityRecipient).roles).toContain('RECIPIENT_DEFAULT');
  });

  it('receives the letters addressed to the organisation', async () => {
    const { engine, letter, send } = testEngine();
    const { system: created } = engine.systems.create({
      ...recipientSystem,
      organisationId: SEED_IDS.companyWithSystem,
      roles: ['RECIPIENT', 'RECIPIENT_DEFAULT'],
    });

    const message = await send(await letter({ cvr: '87654321' }));

    expect(message.route).toMatchObject({ systemId: created.id });
  });
});

describe('a change to a system', () => {
  it('is recorded as SYSTEM_CHANGED for the system', () => {
    const { engine, emitted } = testEngine();

    const { system } = engine.systems.create(recipientSystem);

    expect(loggedEvents(emitted)).toMatchObject([
      {
        eventTag: 'SYSTEM_CHANGED',
        systemIds: [system.id],
        eventTime: START,
        message: `system ${system.id} created`,
      },
    ]);
  });

  it('tells listeners the system was saved', () => {
    const { engine, emitted } = testEngine();

    engine.systems.update(SEED_IDS.companyRecipient, { endpoint: 'https://company.example/' });

    expect(emitted.filter((event) => event.type === 'system-saved')).toMatchObject([
      { system: { id: SEED_IDS.companyRecipient, endpoint: 'https://company.example/' } },
    ]);
  });

  it('that moves the primary mark records and tells of both systems, the other one first', () => {
    const { engine, emitted } = testEngine();

    const { system } = engine.systems.create({
      ...recipientSystem,
      organisationId: SEED_IDS.companyWithSystem,
      roles: ['RECIPIENT_DEFAULT'],
    });

    const saved = emitted.flatMap((event) => (event.type === 'system-saved' ? [event.system.id] : []));
    expect(saved).toEqual([SEED_IDS.companyRecipient, system.id]);
    expect(loggedEvents(emitted).map((event) => event.systemIds)).toEqual([
      [SEED_IDS.companyRecipient],
      [system.id],
    ]);
  });

  it('to an unknown system is NOT_FOUND', async () => {
    const { engine } = testEngine();

    const rejection = await rejectionOf(() =>
      engine.systems.update('20000000-0000-4000-8000-000000000099', { name: 'x' }),
    );

    expect(rejection).toMatchObject({ kind: 'not-found', code: 'NOT_FOUND' });
  });

  it('with deactivated: false puts a deactivated system back in operation', async () => {
    const { engine, letter, send, outbound, system } = testEngine();
    engine.systems.update(SEED_IDS.companyRecipient, {
      protocol: 'REST_PUSH',
      endpoint: 'https://company.example/',
    });
    outbound.answer('memo', 500);
    await send(await letter({ cvr: '87654321' }));
    await engine.advanceClock(8 * DAY);
    expect(system(SEED_IDS.companyRecipient).deactivatedAt).toBe(START + 7 * DAY);

    engine.systems.update(SEED_IDS.companyRecipient, { deactivated: false });

    expect(system(SEED_IDS.companyRecipient).deactivatedAt).toBeUndefined();
    expect(system(SEED_IDS.companyRecipient).failingSince).toBeUndefined();
  });
});

describe('SFTP keys', () => {
  it('are registered for the system', () => {
    const { engine, system } = testEngine();

    engine.systems.registerSshKey(SEED_IDS.senderSftp, `${KEY}\n`);

    expect(system(SEED_IDS.senderSftp).sshPublicKeys).toEqual([KEY]);
  });

  it('registered again change nothing and record nothing', () => {
    const { engine, system, emitted } = testEngine();
    engine.systems.registerSshKey(SEED_IDS.senderSftp, KEY);
    const events = emitted.length;

    engine.systems.registerSshKey(SEED_IDS.senderSftp, KEY);

    expect(system(SEED_IDS.senderSftp).sshPublicKeys).toEqual([KEY]);
    expect(emitted).toHaveLength(events);
  });

  it.each<[string, string, string, string]>([
    ['a line that is not a public key', SEED_IDS.senderSftp, 'not a key', 'INVALID_FORMAT'],
    ['a system id that is not a UUID', 'testkommune', KEY, 'INVALID_FORMAT'],
    ['an unknown system', '20000000-0000-4000-8000-000000000099', KEY, 'NOT_FOUND'],
  ])('are refused for %s', async (_, id, key, code) => {
    const { engine } = testEngine();

    expect(await rejectionOf(() => engine.systems.registerSshKey(id, key))).toMatchObject({ code });
  });
});
