/**
 * Exemptions from Digital Post (admin.md §4; docs/admin.md, "Exemptions"): a service employee of an
 * authority exempts a citizen or a company, renews a company's exemption, or lifts one. The
 * exemption changes the contact the integration API shows and routes by (`Contact`'s
 * `mailboxSubscription`, the same model the test portal sets); a company's ends by itself on the
 * simulator clock. Each change leaves its action-log rows, each look-up a search-log row.
 */
import { EventTag } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import { copenhagenDate } from '../../sdk/ngdp/time.ts';
import type { AdminRight } from '../domain/admin-rights.ts';
import {
  EXEMPTION_FIELDS,
  type ExemptionRecord,
  type ExemptionSettings,
  exemptionEndsAt,
  maskedCpr,
  readExemptionCommand,
} from '../domain/exemptions.ts';
import type { Contact, Job } from '../domain/model.ts';
import { collection } from '../store/store.ts';
import type { ActionActor, ActionEntry, AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { Directory } from './directory.ts';
import { onlyFields } from './fields.ts';
import type { AdminCaller } from './identities.ts';
import { reject } from './rejections.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** Exemptions, by the CPR or CVR number they concern (at most one stands per number). */
export const EXEMPTIONS = collection<ExemptionRecord>('exemptions', (record) => record.number);

const RESOURCE = 'ExemptionCommand';
const SUBJECT = 'Fritagelse';
/** Who acts when an exemption ends by itself (admin.md §0.3). */
const SYSTEM_ACTOR = 'System';

/** The fields of an exemption the action log shows. */
function shown(record: ExemptionRecord): Record<string, unknown> {
  const end = exemptionEndsAt(record.kind, record.start);
  return {
    reason: record.reason,
    forwardToAddress: record.forwardToAddress,
    recipient: record.recipient,
    exemptByProxy: record.exemptByProxy,
    exemptionStart: record.start,
    exemptionEnd: end === undefined ? undefined : copenhagenDate(end),
  };
}

/** The number as a refusal may show it: a CPR number masked. */
function shownNumber(kind: 'CITIZEN' | 'COMPANY', number: string): string {
  return kind === 'CITIZEN' ? maskedCpr(number) : number;
}

export class Exemptions {
  private readonly context: EngineContext;
  private readonly directory: Directory;
  private readonly log: AdminLog;

  constructor(context: EngineContext, directory: Directory, log: AdminLog) {
    this.context = context;
    this.directory = directory;
    this.log = log;
  }

  /**
   * Exempts a registered citizen or company (`ExemptionCommand`): at once, a citizen until lifted, a
   * company until 1 November of the second year after (then it is registered again).
   *
   * @throws Rejection 400 with every field at fault (an unknown or closed number too); 403
   *   RIGHT_MISSING for a citizen without CITIZEN_SERVICE_EMPLOYEE; 409 ALREADY_EXEMPT.
   */
  create(caller: AdminCaller, body: unknown): ExemptionRecord {
    const settings = this.settingsOf(body);
    this.mayHandle(caller, settings.kind);
    const contact = this.lookUp(caller, settings, 'createExemption');
    if (contact.mailboxSubscription.publicRegistrationStatus === 'EXEMPT')
      throw reject.adminConflict(
        'ALREADY_EXEMPT',
        `${this.whom(settings)} is exempt already${settings.kind === 'COMPANY' ? ' (renew its exemption with PUT exemptions/{id})' : ''}`,
      );
    this.forwardingPossible(contact, settings);
    const now = this.context.now();
    const record: ExemptionRecord = {
      id: this.context.newId(),
      version: 1,
      organisationId: caller.organisation.id,
      organisationName: caller.organisation.name,
      ...this.fields(settings),
      contactId: contact.id,
      date: now,
      start: copenhagenDate(now),
      status: 'CREATED',
    };
    this.context.change(() => {
      this.exempt(contact, record);
      this.context.store.putRecord(EXEMPTIONS, record);
      this.schedule(record);
      this.logChange(
        caller,
        contact,
        record,
        { event: 'Fritaget', eventTag: 'DIGITAL_POST_EXEMPTED', after: shown(record) },
        false,
      );
      this.recordForwarding(record, contact);
    });
    return record;
  }

  /**
   * An exemption by id (a look-up of its number: a search-log row).
   *
   * @throws Rejection 404 for an unknown id; 403 RIGHT_MISSING for a citizen's without
   *   CITIZEN_SERVICE_EMPLOYEE.
   */
  get(caller: AdminCaller, id: string): ExemptionRecord {
    const record = this.find(caller, id);
    this.log.searched(caller, {
      cprCvr: record.number,
      register: 'Kontaktregister',
      results: 1,
      operation: 'fetchExemption',
    });
    return record;
  }

  /**
   * Changes an exemption (`ExemptionCommand`, the whole of it): forwarding, proxy, a citizen's
   * reason. A company's exemption is renewed: it begins today and ends two years on (admin.md §4.2).
   *
   * @throws Rejection 400 with every field at fault (another number than the exemption's too);
   *   404; 409 VERSION_CONFLICT, NOT_EXEMPT (it has ended).
   */
  update(caller: AdminCaller, id: string, body: unknown, version: VersionCheck): ExemptionRecord {
    const current = this.find(caller, id);
    expectVersion(this.context, `exemption ${current.id}`, current.version, version);
    const settings = this.settingsOf(body);
    if (settings.kind !== current.kind || settings.number !== current.number) {
      const field = current.kind === 'CITIZEN' ? 'cprNumber' : 'cvrNumber';
      throw reject.invalidField(
        RESOURCE,
        field,
        'NOT_ALLOWED_VALUE',
        'must be the number of the exemption: an exemption cannot move to another party',
        shownNumber(settings.kind, settings.number),
      );
    }
    this.standing(current);
    const contact = this.contactOf(current);
    this.forwardingPossible(contact, settings);
    const next: ExemptionRecord = {
      ...current,
      ...this.fields(settings),
      version: current.version + 1,
      ...(current.kind === 'COMPANY' ? { start: copenhagenDate(this.context.now()) } : {}),
    };
    this.context.change(() => {
      const changed = this.exempt(contact, next);
      this.context.store.putRecord(EXEMPTIONS, next);
      this.schedule(next);
      const statusChanged =
        changed.mailboxSubscription.registrationStatus !== contact.mailboxSubscription.registrationStatus;
      this.logChange(
        caller,
        contact,
        next,
        { event: 'Redigeret', eventTag: 'DIGITAL_POST_EXEMPTED', before: shown(current), after: shown(next) },
        !statusChanged,
      );
      if (next.forwardToAddress !== current.forwardToAddress) this.recordForwarding(next, contact);
    });
    return next;
  }

  /**
   * Lifts an exemption: the party is registered for Digital Post again at once, and the exemption
   * is gone.
   *
   * @throws Rejection 404; 409 VERSION_CONFLICT, NOT_EXEMPT (it has ended already).
   */
  remove(caller: AdminCaller, id: string, version: VersionCheck): void {
    const current = this.find(caller, id);
    expectVersion(this.context, `exemption ${current.id}`, current.version, version);
    this.standing(current);
    const contact = this.contactOf(current);
    this.context.change(() => {
      this.context.store.deleteRecord(EXEMPTIONS, current.id);
      this.register(caller, contact, current);
    });
  }

  /**
   * Lifts the exemption of `contact`, whatever made it (an exemption here, or the test portal), as
   * part of another change (a mailbox access whose owner chose to lift it; admin.md §6).
   */
  liftFor(caller: AdminCaller, contact: Contact): void {
    if (contact.mailboxSubscription.publicRegistrationStatus !== 'EXEMPT') return;
    const record = this.standingFor(contact);
    if (record !== undefined) this.context.store.deleteRecord(EXEMPTIONS, record.id);
    this.register(caller, contact, record);
  }

  /** Ends a company's exemption on its end date (an `expire` job), unless it was renewed or lifted. */
  expireDue(job: Job): void {
    this.context.change(() => {
      this.context.store.deleteJob(job.id);
      const record = this.context.store.getRecord(EXEMPTIONS, String(job.data?.id));
      const endsAt = record === undefined ? undefined : exemptionEndsAt(record.kind, record.start);
      if (
        record === undefined ||
        record.status !== 'CREATED' ||
        endsAt === undefined ||
        endsAt > this.context.now()
      )
        return;
      const ended: ExemptionRecord = { ...record, version: record.version + 1, status: 'PROCESSED' };
      this.context.store.putRecord(EXEMPTIONS, ended);
      const contact = this.context.store.getContact(record.contactId);
      if (contact !== undefined)
        this.register({ organisation: { id: record.organisationId }, actor: SYSTEM_ACTOR }, contact, record);
    });
  }

  // ---------------------------------------------------------------- helpers

  private settingsOf(body: unknown): ExemptionSettings {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw reject.invalidBody();
    onlyFields(RESOURCE, body as Record<string, unknown>, EXEMPTION_FIELDS);
    const read = readExemptionCommand(body as Record<string, unknown>);
    if (read.settings === undefined) throw reject.fieldsInvalid(read.problems);
    return read.settings;
  }

  /** A business service employee exempts companies only (admin.md §0.1, §4). */
  private mayHandle(caller: AdminCaller, kind: 'CITIZEN' | 'COMPANY'): void {
    const needed: AdminRight = 'CITIZEN_SERVICE_EMPLOYEE';
    if (kind === 'CITIZEN' && !caller.rights.includes(needed)) throw reject.rightMissing([needed]);
  }

  /** The registered contact of the command's number, looked up (a search-log row, found or not). */
  private lookUp(caller: AdminCaller, settings: ExemptionSettings, operation: string): Contact {
    const contact = this.context.store.findContact(
      settings.kind === 'CITIZEN' ? 'cpr' : 'cvr',
      settings.number,
    );
    this.log.searched(caller, {
      cprCvr: settings.number,
      register: 'Kontaktregister',
      results: contact === undefined ? 0 : 1,
      operation,
    });
    const field = settings.kind === 'CITIZEN' ? 'cprNumber' : 'cvrNumber';
    const shownValue = shownNumber(settings.kind, settings.number);
    if (contact === undefined)
      throw reject.invalidField(
        RESOURCE,
        field,
        'NOT_FOUND',
        `no ${this.whom(settings)} is registered under that number`,
        shownValue,
      );
    const status = contact.mailboxSubscription.publicRegistrationStatus;
    if (status === 'CLOSED' || status === 'UNKNOWN')
      throw reject.invalidField(
        RESOURCE,
        field,
        'NOT_ALLOWED_VALUE',
        `${this.whom(settings)}'s Digital Post is ${status === 'CLOSED' ? 'closed' : 'unknown'}: there is nothing to exempt`,
        shownValue,
      );
    return contact;
  }

  /**
   * Unopened post is forwarded to the registered address, which test citizens do not have (and
   * companies only when seeded with one): without it, a forwarding address is required.
   */
  private forwardingPossible(contact: Contact, settings: ExemptionSettings): void {
    if (!settings.forwardToAddress || settings.recipient !== undefined || contact.address !== undefined)
      return;
    throw reject.requiredField(
      RESOURCE,
      'recipient',
      `is required: ${this.whom(settings)} has no registered address to forward unopened post to (or set forwardToAddress false)`,
    );
  }

  private whom(settings: Pick<ExemptionSettings, 'kind'>): string {
    return settings.kind === 'CITIZEN' ? 'the citizen' : 'the company';
  }

  private fields(
    settings: ExemptionSettings,
  ): Pick<
    ExemptionRecord,
    'kind' | 'number' | 'reason' | 'forwardToAddress' | 'recipient' | 'exemptByProxy'
  > {
    const { kind, number, reason, forwardToAddress, recipient, exemptByProxy } = settings;
    return {
      kind,
      number,
      ...(reason === undefined ? {} : { reason }),
      forwardToAddress,
      ...(recipient === undefined ? {} : { recipient }),
      exemptByProxy,
    };
  }

  /** @throws Rejection 404 for an unknown id; 403 for a citizen's without the citizen right. */
  private find(caller: AdminCaller, id: string): ExemptionRecord {
    const record = isUuid(id) ? this.context.store.getRecord(EXEMPTIONS, id.toLowerCase()) : undefined;
    if (record === undefined) throw reject.notFound(`no exemption ${id}`);
    this.mayHandle(caller, record.kind);
    return record;
  }

  /** @throws Rejection 409 NOT_EXEMPT for an exemption that has ended. */
  private standing(record: ExemptionRecord): void {
    if (record.status !== 'CREATED')
      throw reject.adminConflict(
        'NOT_EXEMPT',
        `exemption ${record.id} has ended: the company is registered again (create a new exemption)`,
      );
  }

  private standingFor(contact: Contact): ExemptionRecord | undefined {
    const number = contact.cprNumber ?? contact.cvrNumber ?? '';
    return this.context.store.listRecords(EXEMPTIONS, number).find((record) => record.status === 'CREATED');
  }

  private contactOf(record: ExemptionRecord): Contact {
    const contact = this.context.store.getContact(record.contactId);
    if (contact === undefined)
      throw reject.notFound(`the party of exemption ${record.id} is no longer registered`);
    return contact;
  }

  /** The contact exempt as `record` says (its reason, its start, its proxy). */
  private exempt(contact: Contact, record: ExemptionRecord): Contact {
    return this.directory.changeExemption(contact, {
      publicRegistrationStatus: 'EXEMPT',
      registrationStatus: record.reason ?? 'EXEMPT_OTHER_REASON',
      exemptionStart: record.start,
      exemptThroughPowerOfAttorney: record.exemptByProxy,
    });
  }

  /** The contact registered again (lift, expiry, an access's choice), with its action-log rows. */
  private register(by: ActionActor, contact: Contact, record: ExemptionRecord | undefined): void {
    // A contact no longer exempt (the test portal or the control API changed it since) keeps its
    // registration: the exemption just ends.
    const exempt = contact.mailboxSubscription.publicRegistrationStatus === 'EXEMPT';
    this.context.change(() => {
      const registered = exempt
        ? this.directory.changeExemption(contact, {
            publicRegistrationStatus: 'REGISTERED',
            registrationStatus: 'AUTOMATIC_REGISTRATION',
          })
        : contact;
      this.logChange(
        by,
        registered,
        record,
        {
          event: 'Tilmeldt',
          eventTag: 'DIGITAL_POST_REGISTERED',
          before:
            record === undefined
              ? { exemptionStart: contact.mailboxSubscription.exemptionStart }
              : shown(record),
          after: {},
        },
        false,
      );
    });
  }

  private schedule(record: ExemptionRecord): void {
    const endsAt = exemptionEndsAt(record.kind, record.start);
    if (endsAt !== undefined)
      this.context.schedule('expire', endsAt, { data: { what: 'exemption', id: record.id } });
  }

  /** NgDP's tag for what becomes of unopened post (admin.md §4.3). */
  private recordForwarding(record: ExemptionRecord, contact: Contact): void {
    this.context.record(
      record.forwardToAddress
        ? EventTag.UNOPENED_MAIL_AS_PHYSICAL_POST
        : EventTag.UNOPENED_MAIL_NOT_AS_PHYSICAL_POST,
      undefined,
      {
        text: `exemption ${record.id}: unopened post ${record.forwardToAddress ? 'is' : 'is not'} sent as physical post`,
        parties: [record.number],
        meta: { contactId: contact.id },
      },
    );
  }

  private logChange(
    by: ActionActor,
    contact: Contact,
    record: ExemptionRecord | undefined,
    entry: Pick<ActionEntry, 'event' | 'eventTag' | 'before' | 'after'>,
    event: boolean,
  ): void {
    this.log.changed(
      by,
      {
        subject: SUBJECT,
        resourceId: record?.id ?? contact.id,
        name: contact.name,
        cprCvr: contact.cprNumber ?? contact.cvrNumber ?? '',
        ...entry,
      },
      event,
    );
  }
}
