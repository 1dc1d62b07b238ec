/**
 * Access to a citizen's Digital Post (admin.md §6; docs/admin.md, "Mailbox accesses"): a citizen
 * service employee of an authority gives a citizen or a company read, or read and write, access to
 * a citizen's mailbox — at most 10 at a time, one per holder — until a date or unlimited, changes
 * it, or ends it. An access ends by itself on the simulator clock. A mailbox is its owner's: the
 * citizen's contact id is its id. Each change leaves action-log rows (Adgang), each look-up of a
 * party a search-log row (adgangsregister).
 */
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { derivedId } from '../domain/contacts.ts';
import {
  ACCESS_FIELDS,
  type AccessRecord,
  type AccessSettings,
  isStanding,
  MAX_ACCESSES_PER_MAILBOX,
  type NotificationRecord,
  readAccessCommand,
} from '../domain/mailbox-access.ts';
import type { Contact, Job } from '../domain/model.ts';
import { collection } from '../store/store.ts';
import type { ActionActor, ActionEntry, AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { Exemptions } from './exemptions.ts';
import { onlyFields } from './fields.ts';
import type { AdminCaller } from './identities.ts';
import { reject } from './rejections.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** Mailbox accesses, by mailbox. */
export const ACCESSES = collection<AccessRecord>('mailbox-accesses', (record) => record.mailboxId);

/**
 * The PIN that verifies a notification subscription of an access: the simulator sends no SMS or
 * e-mail (docs/differences.md).
 */
export const TEST_PIN = '123456';

const RESOURCE = 'Access';
const SUBJECT = 'Adgang';
const REGISTER = 'adgangsregister';

/** The fields of an access the action log shows. */
function shown(access: AccessRecord): Record<string, unknown> {
  return {
    holder: access.holderNumber,
    privileges: access.privileges,
    activeTo: access.activeTo === undefined ? 'unlimited' : new Date(access.activeTo).toISOString(),
    intendedEmployee: access.intendedEmployee,
    exemptionLifted: access.exemptionLifted,
  };
}

/** What a new access is made of, besides its settings: its parties and where it came from. */
export interface AccessOrigin {
  owner: Contact;
  holder: Contact;
  accessRequestId?: string;
}

export class MailboxAccesses {
  private readonly context: EngineContext;
  private readonly exemptions: Exemptions;
  private readonly log: AdminLog;

  constructor(context: EngineContext, exemptions: Exemptions, log: AdminLog) {
    this.context = context;
    this.exemptions = exemptions;
    this.log = log;
  }

  /**
   * The standing accesses to a mailbox, oldest first (a look-up of its owner: a search-log row).
   *
   * @throws Rejection 404 for a mailbox that is not a registered citizen's.
   */
  list(caller: AdminCaller, mailboxId: string): AccessRecord[] {
    const owner = this.owner(mailboxId);
    const standing = this.standing(owner.id);
    this.searched(caller, owner, standing.length, 'queryAccess');
    return standing;
  }

  /** @throws Rejection 404 for an unknown mailbox, or an access it does not have (or no longer has). */
  get(caller: AdminCaller, mailboxId: string, id: string): AccessRecord {
    const owner = this.owner(mailboxId);
    const access = this.find(owner, id);
    this.searched(caller, owner, 1, 'fetchAccess');
    return access;
  }

  /**
   * Gives a citizen or a company access to a citizen's mailbox (an `Access` command).
   *
   * @throws Rejection 400 with every field at fault (an unknown holder, the owner, an exempt owner
   *   without a choice of `liftExemption`); 404 for an unknown mailbox; 409 ACCESS_EXISTS,
   *   TOO_MANY_ACCESSES.
   */
  create(caller: AdminCaller, mailboxId: string, body: unknown): AccessRecord {
    const owner = this.owner(mailboxId);
    const settings = this.settingsOf(body, mailboxId, false);
    const holder = this.holder(caller, owner, settings.identityId);
    return this.open(caller, { owner, holder }, settings);
  }

  /**
   * Opens an access for `origin`'s holder to its owner's mailbox (an access given here, or an
   * activated access request), within the limits.
   *
   * @throws Rejection 400 for an exempt owner without a choice, or an intended employee of a
   *   citizen; 409 ACCESS_EXISTS, TOO_MANY_ACCESSES.
   */
  open(caller: AdminCaller, origin: AccessOrigin, settings: AccessSettings): AccessRecord {
    const { owner, holder } = origin;
    const ownerExempt = owner.mailboxSubscription.publicRegistrationStatus === 'EXEMPT';
    if (ownerExempt && settings.liftExemption === undefined)
      throw reject.requiredField(
        RESOURCE,
        'liftExemption',
        'is required: the owner is exempt from Digital Post — lift the exemption (true), or keep it (false: the access shows post from before it, and mandatory post)',
      );
    if (settings.intendedEmployee !== undefined && holder.type !== 'COMPANY')
      throw reject.invalidField(
        RESOURCE,
        'intendedEmployee',
        'NOT_ALLOWED_VALUE',
        'is for a company holder only',
        settings.intendedEmployee,
      );
    const standing = this.standing(owner.id);
    const existing = standing.find((access) => access.identityId === holder.id);
    if (existing !== undefined)
      throw reject.adminConflict(
        'ACCESS_EXISTS',
        `the holder has access ${existing.id} to this mailbox already; change it instead (PUT)`,
      );
    if (standing.length >= MAX_ACCESSES_PER_MAILBOX)
      throw reject.adminConflict(
        'TOO_MANY_ACCESSES',
        `a mailbox has at most ${MAX_ACCESSES_PER_MAILBOX} accesses at a time, and this one has ${standing.length}`,
      );
    const now = this.context.now();
    const id = this.context.newId();
    const access: AccessRecord = {
      id,
      version: 1,
      transactionId: this.context.newId(),
      mailboxId: owner.id,
      ownerNumber: owner.cprNumber ?? '',
      identityId: holder.id,
      holderKind: holder.type,
      holderNumber: holder.cprNumber ?? holder.cvrNumber ?? '',
      privileges: settings.privileges,
      ...(settings.activeTo === undefined ? {} : { activeTo: settings.activeTo }),
      ...(settings.intendedEmployee === undefined ? {} : { intendedEmployee: settings.intendedEmployee }),
      exemptionLifted: ownerExempt && settings.liftExemption === true,
      notifications: this.notifications(id, settings, []),
      organisationId: caller.organisation.id,
      ...(origin.accessRequestId === undefined ? {} : { accessRequestId: origin.accessRequestId }),
      createdDateTime: now,
      lastUpdated: now,
    };
    this.context.change(() => {
      if (access.exemptionLifted) this.exemptions.liftFor(caller, owner);
      this.save(caller, owner, access, {
        event: 'Oprettet',
        eventTag: 'READ_ACCESS_CREATED',
        after: shown(access),
      });
    });
    return access;
  }

  /**
   * Changes an access (an `Access` command, the whole of it): its privileges, end, intended employee
   * and notification subscriptions. `privileges: []` ends it (there is no DELETE in NgDP's API).
   *
   * @throws Rejection 400 with every field at fault (another holder too); 404; 409 VERSION_CONFLICT.
   */
  update(
    caller: AdminCaller,
    mailboxId: string,
    id: string,
    body: unknown,
    version: VersionCheck,
  ): AccessRecord {
    const owner = this.owner(mailboxId);
    const current = this.find(owner, id);
    expectVersion(this.context, `access ${current.id}`, current.version, version);
    const settings = this.settingsOf(body, mailboxId, true);
    if (settings.identityId !== current.identityId)
      throw reject.invalidField(
        RESOURCE,
        'identityId',
        'NOT_ALLOWED_VALUE',
        'must be the holder of the access: an access cannot move to another holder',
        settings.identityId,
      );
    const now = this.context.now();
    if (settings.privileges.length === 0) {
      const ended: AccessRecord = {
        ...current,
        version: current.version + 1,
        lastUpdated: now,
        endedAt: now,
      };
      this.context.change(() =>
        this.save(caller, owner, ended, {
          event: 'Slettet',
          eventTag: 'READ_ACCESS_DELETED',
          before: shown(current),
          after: {},
        }),
      );
      return ended;
    }
    const { activeTo: _end, intendedEmployee: _employee, ...kept } = current;
    const next: AccessRecord = {
      ...kept,
      version: current.version + 1,
      transactionId: this.context.newId(),
      lastUpdated: now,
      privileges: settings.privileges,
      ...(settings.activeTo === undefined ? {} : { activeTo: settings.activeTo }),
      ...(settings.intendedEmployee === undefined ? {} : { intendedEmployee: settings.intendedEmployee }),
      notifications: this.notifications(current.id, settings, current.notifications),
    };
    if (next.intendedEmployee !== undefined && current.holderKind !== 'COMPANY')
      throw reject.invalidField(
        RESOURCE,
        'intendedEmployee',
        'NOT_ALLOWED_VALUE',
        'is for a company holder only',
        next.intendedEmployee,
      );
    this.context.change(() =>
      this.save(caller, owner, next, {
        event: 'Redigeret',
        eventTag: 'PRIVILEGES_GRANTED',
        before: shown(current),
        after: shown(next),
      }),
    );
    return next;
  }

  /**
   * Verifies a notification subscription of an access with its PIN ({@link TEST_PIN}), or asks for
   * a new PIN (`renewPin`: the subscription is unverified until it is given).
   *
   * @throws Rejection 400 PIN_INVALID, REQUIRED; 404 for an unknown access or subscription.
   */
  verify(mailboxId: string, id: string, subscriptionId: string, body: unknown): AccessRecord {
    const owner = this.owner(mailboxId);
    const current = this.find(owner, id);
    const target = current.notifications.find((each) => each.id === subscriptionId.toLowerCase());
    if (target === undefined)
      throw reject.notFound(`access ${current.id} has no notification subscription ${subscriptionId}`);
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
    const command = body as Record<string, unknown>;
    onlyFields('AccessSubscriptionVerificationCommand', command, ['pin', 'renewPin']);
    const renew = command.renewPin === true;
    if (!renew) {
      if (command.pin === undefined || command.pin === null)
        throw reject.requiredField(
          'AccessSubscriptionVerificationCommand',
          'pin',
          'is required (or renewPin: true)',
        );
      if (command.pin !== TEST_PIN)
        throw reject.invalidField(
          'AccessSubscriptionVerificationCommand',
          'pin',
          'PIN_INVALID',
          'is not the PIN that was sent',
        );
    }
    const now = this.context.now();
    const { verificationTime: _was, ...unverified } = target;
    const verified: NotificationRecord = renew
      ? { ...unverified, version: target.version + 1 }
      : { ...target, version: target.version + 1, verificationTime: now };
    const next: AccessRecord = {
      ...current,
      version: current.version + 1,
      lastUpdated: now,
      notifications: current.notifications.map((each) => (each.id === target.id ? verified : each)),
    };
    this.context.change(() => this.context.store.putRecord(ACCESSES, next));
    return next;
  }

  /** Ends an access on its end date (an `expire` job), unless it was changed or ended since. */
  expireDue(job: Job): void {
    this.context.change(() => {
      this.context.store.deleteJob(job.id);
      const access = this.context.store.getRecord(ACCESSES, String(job.data?.id));
      const now = this.context.now();
      if (
        access === undefined ||
        access.endedAt !== undefined ||
        access.activeTo === undefined ||
        access.activeTo > now
      )
        return;
      const ended: AccessRecord = { ...access, version: access.version + 1, lastUpdated: now, endedAt: now };
      const owner = this.context.store.getContact(access.mailboxId);
      this.save({ organisation: { id: access.organisationId }, actor: 'System' }, owner, ended, {
        event: 'Slettet',
        eventTag: 'READ_ACCESS_DELETED',
        before: shown(access),
        after: {},
      });
    });
  }

  /**
   * The registered contact a holder's id names, looked up (a search-log row): not the owner, and
   * able to hold an access.
   *
   * @throws Rejection 400 for anyone else.
   */
  holder(caller: AdminCaller, owner: Contact, identityId: string): Contact {
    const holder = this.context.store.getContact(identityId);
    const status = holder?.mailboxSubscription.publicRegistrationStatus;
    if (holder !== undefined) this.searched(caller, holder, 1, 'createAccess');
    if (holder === undefined || status === 'CLOSED' || status === 'UNKNOWN')
      throw reject.invalidField(
        RESOURCE,
        'identityId',
        'NOT_FOUND',
        "must be the id of a registered citizen or company (its contact's id)",
        identityId,
      );
    if (holder.id === owner.id)
      throw reject.invalidField(
        RESOURCE,
        'identityId',
        'NOT_ALLOWED_VALUE',
        'is the owner: the owner has access already',
        identityId,
      );
    return holder;
  }

  /** @throws Rejection 404 unless `mailboxId` is a registered citizen's mailbox (its contact's id). */
  owner(mailboxId: string): Contact {
    const owner = isUuid(mailboxId) ? this.context.store.getContact(mailboxId.toLowerCase()) : undefined;
    const status = owner?.mailboxSubscription.publicRegistrationStatus;
    if (owner === undefined || owner.type !== 'CITIZEN' || status === 'CLOSED' || status === 'UNKNOWN')
      throw reject.notFound(`no citizen's mailbox ${mailboxId} (a mailbox's id is its owner's contact id)`);
    return owner;
  }

  /** Ends an access an access request gave, when the request is revoked. */
  endFor(caller: AdminCaller, accessRequestId: string): void {
    const now = this.context.now();
    for (const access of this.context.store.listRecords(ACCESSES))
      if (access.accessRequestId === accessRequestId && isStanding(access, now)) {
        const owner = this.context.store.getContact(access.mailboxId);
        const ended: AccessRecord = {
          ...access,
          version: access.version + 1,
          lastUpdated: now,
          endedAt: now,
        };
        this.save(caller, owner, ended, {
          event: 'Slettet',
          eventTag: 'READ_ACCESS_DELETED',
          before: shown(access),
          after: {},
        });
      }
  }

  // ---------------------------------------------------------------- helpers

  private settingsOf(body: unknown, mailboxId: string, noneAllowed: boolean): AccessSettings {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
    const command = body as Record<string, unknown>;
    onlyFields(RESOURCE, command, ACCESS_FIELDS);
    const read = readAccessCommand(command, this.context.now(), noneAllowed);
    if (read.settings === undefined) throw reject.fieldsInvalid(read.problems);
    const given = command.mailboxId;
    if (given !== undefined && given !== null && String(given).toLowerCase() !== mailboxId.toLowerCase())
      throw reject.invalidField(
        RESOURCE,
        'mailboxId',
        'NOT_ALLOWED_VALUE',
        'must be the mailbox of the path, or left out',
        given,
      );
    return read.settings;
  }

  private standing(mailboxId: string): AccessRecord[] {
    const now = this.context.now();
    return this.context.store.listRecords(ACCESSES, mailboxId).filter((access) => isStanding(access, now));
  }

  private find(owner: Contact, id: string): AccessRecord {
    const access = isUuid(id) ? this.context.store.getRecord(ACCESSES, id.toLowerCase()) : undefined;
    if (access === undefined || access.mailboxId !== owner.id || !isStanding(access, this.context.now()))
      throw reject.notFound(`no access ${id} to mailbox ${owner.id}`);
    return access;
  }

  /** The subscriptions `settings` asks for; one kept from `before` keeps its id and verification. */
  private notifications(
    accessId: string,
    settings: AccessSettings,
    before: readonly NotificationRecord[],
  ): NotificationRecord[] {
    const wanted: Array<Pick<NotificationRecord, 'channel' | 'address'>> = [
      ...(settings.sms === undefined ? [] : [{ channel: 'SMS' as const, address: settings.sms }]),
      ...settings.emails.map((address) => ({ channel: 'EMAIL' as const, address })),
    ];
    return wanted.map(
      ({ channel, address }) =>
        before.find((each) => each.channel === channel && each.address === address) ?? {
          id: derivedId(`${accessId}:${channel}:${address}`),
          channel,
          address,
          version: 1,
        },
    );
  }

  private searched(caller: AdminCaller, party: Contact, results: number, operation: string): void {
    this.log.searched(caller, {
      cprCvr: party.cprNumber ?? party.cvrNumber ?? '',
      register: REGISTER,
      results,
      operation,
    });
  }

  /** Keeps an access, schedules its end, and writes its action-log rows (inside a change). */
  private save(
    by: ActionActor,
    owner: Contact | undefined,
    access: AccessRecord,
    entry: Pick<ActionEntry, 'event' | 'eventTag' | 'before' | 'after'>,
  ): void {
    this.context.store.putRecord(ACCESSES, access);
    const endMoved = entry.before === undefined || entry.before.activeTo !== entry.after?.activeTo;
    if (access.endedAt === undefined && access.activeTo !== undefined && endMoved)
      this.context.schedule('expire', access.activeTo, { data: { what: 'access', id: access.id } });
    this.log.changed(by, {
      subject: SUBJECT,
      resourceId: access.id,
      name: owner?.name ?? '',
      cprCvr: access.ownerNumber,
      ...entry,
    });
  }
}
