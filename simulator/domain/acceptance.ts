/**
 * Whether NgDP accepts a received MeMo, and where it goes: schema and NgDP rules, the sender's
 * permissions, the value date, the recipient's registration and the routing of docs/simulator.md ("Magic identities") and docs/differences.md.
 */

import { describeIssues } from '../../sdk/memo/issues.ts';
import type { Memo } from '../../sdk/memo/types.ts';
import type { ValidationResult } from '../../sdk/memo/validate.ts';
import { copenhagenDate, copenhagenMidnight, daysBetween } from '../../sdk/ngdp/time.ts';
import { isActive, isRecipientSystem } from './auth.ts';
import { autoRegistered } from './contacts.ts';
import type { Contact, ContactPoint, Organisation, Route, SystemRecord } from './model.ts';

/** What routing reads of a MeMo: its header (a digest carries no more). */
type Headed = Pick<Memo, 'messageHeader'>;

export type Rejection = { status: 'INVALID' | 'NOT_ALLOWED'; code: string; message: string };

export type Decision =
  | {
      ok: true;
      route: Route;
      /** When to deliver, for a value date after today; undefined = now. */
      deliverAt?: number;
      /** A contact to register first (`--loose` with an unknown number). */
      register?: Contact;
      /** The recipient contact, when the route is a mailbox. */
      contact?: Contact;
    }
  | ({ ok: false } & Rejection);

export interface AcceptanceSettings {
  /** How many days after today a value date may lie. */
  valueDateHorizonDays: number;
  /** Register unknown, well-formed CPR/CVR numbers instead of rejecting them. */
  loose: boolean;
}

/** What routing looks up (the store has it): the register, organisations, systems, contact points. */
export interface Directory {
  findContact(kind: 'cpr' | 'cvr', number: string): Contact | undefined;
  findOrganisationByCvr(cvrNumber: string): Organisation | undefined;
  listSystems(organisationId?: string): SystemRecord[];
  getContactPoint(id: string): ContactPoint | undefined;
}

const NOT_YET_REACHABLE = new Set([
  'UNCONFIRMED_REGISTRATION',
  'BEFORE_UNCONFIRMED_REGISTRATION',
  'CREATED_AWAITING_REGISTRATION',
]);

function reject(status: Rejection['status'], code: string, message: string): Decision {
  return { ok: false, status, code, message };
}

/** The receipt for a MeMo that breaks the schema or NgDP's rules. */
export function validationRejection(result: Pick<ValidationResult, 'issues'>): Rejection {
  const codes = new Set(result.issues.map((issue) => issue.code));
  const code = codes.has('MESSAGE_TOO_LARGE')
    ? 'MESSAGE_TOO_LARGE'
    : codes.has('TOO_MANY_ATTACHMENTS')
      ? 'TOO_MANY_ATTACHMENTS'
      : 'MEMO_SCHEMA_INVALID';
  return { status: 'INVALID', code, message: describeIssues(result.issues, { limit: 3 }) };
}

/** Whether a registered contact can receive this message (null when it can). */
function unreachable(contact: Contact, memo: Headed, sender: Organisation): Rejection | null {
  const { publicRegistrationStatus, registrationStatus } = contact.mailboxSubscription;
  const who = contact.type === 'CITIZEN' ? 'the citizen' : 'the company';
  switch (publicRegistrationStatus) {
    case 'CLOSED':
      return {
        status: 'NOT_ALLOWED',
        code: 'RECIPIENT_CLOSED',
        message: `${who} cannot receive Digital Post (deceased or closed)`,
      };
    case 'UNKNOWN':
      return { status: 'NOT_ALLOWED', code: 'RECIPIENT_UNKNOWN', message: `${who} is not in the register` };
    case 'EXEMPT':
      if (memo.messageHeader.mandatory === true && sender.mandatoryPostAllowed) break;
      return {
        status: 'NOT_ALLOWED',
        code: 'RECIPIENT_EXEMPT',
        message: `${who} is exempt from Digital Post`,
      };
    case 'REGISTERED':
      if (NOT_YET_REACHABLE.has(registrationStatus)) {
        return {
          status: 'NOT_ALLOWED',
          code: 'RECIPIENT_NOT_REACHABLE',
          message: `${who} is registered but cannot receive Digital Post yet (${registrationStatus})`,
        };
      }
  }
  if (memo.messageHeader.messageType === 'NEMSMS' && contact.nemSmsMobileNumber === undefined) {
    return {
      status: 'NOT_ALLOWED',
      code: 'RECIPIENT_NOT_REACHABLE',
      message: `${who} has no confirmed NemSMS subscription`,
    };
  }
  return null;
}

function mailboxDecision(
  kind: 'CITIZEN' | 'COMPANY',
  number: string,
  memo: Headed,
  sender: Organisation,
  directory: Directory,
  settings: AcceptanceSettings,
  context: { now: number; newId: () => string },
): Decision {
  const contact = directory.findContact(kind === 'CITIZEN' ? 'cpr' : 'cvr', number);
  if (contact === undefined) {
    if (!settings.loose) {
      return reject(
        'NOT_ALLOWED',
        'RECIPIENT_UNKNOWN',
        `no ${kind === 'CITIZEN' ? 'citizen' : 'company'} with that ${kind === 'CITIZEN' ? 'CPR' : 'CVR'} number is in the register`,
      );
    }
    const register = autoRegistered(kind, number, context.now, context.newId());
    const problem = unreachable(register, memo, sender);
    return problem
      ? { ok: false, ...problem }
      : { ok: true, route: { kind: 'MAILBOX', owner: number }, register, contact: register };
  }
  const problem = unreachable(contact, memo, sender);
  return problem
    ? { ok: false, ...problem }
    : { ok: true, route: { kind: 'MAILBOX', owner: number }, contact };
}

function systemRoute(
  organisation: Organisation,
  memo: Headed,
  systems: SystemRecord[],
  directory: Directory,
  now: number,
): Decision {
  const usable = systems.filter((system) => isActive(system, now));
  const contactPointId = memo.messageHeader.recipient.contactPoint?.contactPointID;
  let target: SystemRecord | undefined;
  let addressedPoint: string | undefined;
  if (contactPointId !== undefined && organisation.type === 'AUTHORITY') {
    const point = directory.getContactPoint(contactPointId);
    if (point !== undefined && point.organisationId === organisation.id && point.active) {
      addressedPoint = point.id;
      target = usable.find((system) => system.id === point.systemId);
    }
  }
  target ??= usable.find((system) => system.roles.includes('RECIPIENT_DEFAULT')) ?? usable[0];
  if (target === undefined) {
    return reject(
      'NOT_ALLOWED',
      'RECIPIENT_NOT_REACHABLE',
      "none of the recipient organisation's recipient systems is in operation",
    );
  }
  return {
    ok: true,
    route: {
      kind: 'SYSTEM',
      systemId: target.id,
      organisationId: organisation.id,
      ...(addressedPoint === undefined ? {} : { contactPointId: addressedPoint }),
    },
  };
}

/**
 * Decides a validated MeMo's fate. The checks run in this order: the sender's permissions
 * (mandatory, legal notification), the value date, the recipient.
 */
export function decide(
  memo: Headed,
  sender: Organisation,
  directory: Directory,
  settings: AcceptanceSettings,
  context: { now: number; newId: () => string },
): Decision {
  const header = memo.messageHeader;
  if (header.mandatory === true && !sender.mandatoryPostAllowed) {
    return reject(
      'NOT_ALLOWED',
      'MANDATORY_NOT_ALLOWED',
      'the sender organisation may not send mandatory post',
    );
  }
  if (header.legalNotification === true && !sender.legalNotificationAllowed) {
    return reject(
      'NOT_ALLOWED',
      'LEGAL_NOTIFICATION_NOT_ALLOWED',
      'the sender organisation may not send legal notifications',
    );
  }

  let deliverAt: number | undefined;
  if (header.doNotDeliverUntilDate !== undefined) {
    const valueDate = header.doNotDeliverUntilDate.trim().slice(0, 10);
    const today = copenhagenDate(context.now);
    const days = daysBetween(today, valueDate);
    if (days > settings.valueDateHorizonDays) {
      return reject(
        'INVALID',
        'VALUE_DATE_TOO_FAR',
        `doNotDeliverUntilDate ${valueDate} is ${days} days ahead; at most ${settings.valueDateHorizonDays} are allowed`,
      );
    }
    if (days > 0) deliverAt = copenhagenMidnight(valueDate);
  }

  const { recipientID, idType } = header.recipient;
  let decision: Decision;
  if (idType.toUpperCase() === 'CPR') {
    decision = mailboxDecision('CITIZEN', recipientID, memo, sender, directory, settings, context);
  } else {
    const organisation = directory.findOrganisationByCvr(recipientID);
    const systems =
      organisation === undefined ? [] : directory.listSystems(organisation.id).filter(isRecipientSystem);
    decision =
      organisation !== undefined && systems.length > 0
        ? systemRoute(organisation, memo, systems, directory, context.now)
        : mailboxDecision('COMPANY', recipientID, memo, sender, directory, settings, context);
    if (decision.ok && decision.route.kind === 'SYSTEM' && header.messageType === 'NEMSMS') {
      decision = reject(
        'NOT_ALLOWED',
        'RECIPIENT_NOT_REACHABLE',
        'NemSMS cannot be delivered to a recipient system',
      );
    }
  }
  return decision.ok && deliverAt !== undefined ? { ...decision, deliverAt } : decision;
}
