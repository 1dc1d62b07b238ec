/**
 * Vendors' standard systems (admin.md §1.3; docs/admin.md, "Standard systems"): templates a vendor
 * organisation offers, defined by tests and users through the control API, listed at NgDP's
 * `standard-system-templates`. A system made from one takes the template's locked fields and gives
 * the vendor power of attorney (`system-admin.ts` applies them).
 */
import { isCvrNumber, isUuid } from '../../sdk/ngdp/identifiers.ts';
import {
  type CommandProblem,
  type MailSystemSettings,
  readMailSystemCommand,
  readTemplateCommand,
} from '../domain/mail-system.ts';
import type { Organisation, StandardSystemTemplateRecord, SystemRecord } from '../domain/model.ts';
import { collection } from '../store/store.ts';
import type { EngineContext } from './context.ts';
import { Rejection, reject } from './rejections.ts';

/** The templates (scope: the vendor organisation). */
export type { StandardSystemTemplateRecord };

export const STANDARD_SYSTEM_TEMPLATES = collection<StandardSystemTemplateRecord>(
  'standard-system-templates',
  (template) => template.organisationId,
);

/**
 * The fields of a `MailSystemCommand` a template locks (admin.md §1.3): from the template, now and
 * later; only name, activation, deactivation and the extra e-mail stay the organisation's.
 */
export const LOCKED_FIELDS = [
  'systemTypes',
  'serviceProtocol',
  'allowedIps',
  'endpoint',
  'receiptEndpoint',
  'technicalContact',
  'delegatedCVR',
] as const;

export class StandardSystems {
  private readonly context: EngineContext;

  constructor(context: EngineContext) {
    this.context = context;
  }

  /** Every template, oldest first. */
  list(): StandardSystemTemplateRecord[] {
    return this.context.store
      .listRecords(STANDARD_SYSTEM_TEMPLATES)
      .sort((a, b) => a.createdDate - b.createdDate);
  }

  /** The template `id` names, if any. */
  find(id: string): StandardSystemTemplateRecord | undefined {
    return isUuid(id) ? this.context.store.getRecord(STANDARD_SYSTEM_TEMPLATES, id.toLowerCase()) : undefined;
  }

  /**
   * Defines a template of a vendor organisation (its `cvrNumber`) from a
   * `StandardSystemTemplateCommand`'s fields: `name`, `systemTypes`, `serviceProtocol`,
   * `allowedIps`, `endpoint`, `receiptEndpoint`, `technicalContact` — checked as a system's.
   *
   * @throws Rejection 400 with every field at fault; NOT_FOUND for an unknown vendor.
   */
  define(body: Record<string, unknown>): StandardSystemTemplateRecord {
    const vendor = this.vendorOf(body);
    const read = readTemplateCommand(body);
    if (read.problems.length > 0 || !('fields' in read))
      throw new Rejection(
        'invalid',
        read.problems[0]?.code ?? 'INVALID_FORMAT',
        read.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
        read.problems,
      );
    const now = this.context.now();
    const template: StandardSystemTemplateRecord = {
      id: this.context.newId(),
      organisationId: vendor.id,
      version: 1,
      name: read.name,
      fields: read.fields,
      createdDate: now,
      lastUpdated: now,
    };
    this.context.change(() => this.context.store.putRecord(STANDARD_SYSTEM_TEMPLATES, template));
    return template;
  }

  /** The values a system made from `template` has in its locked fields, as a command gives them. */
  lockedValues(template: StandardSystemTemplateRecord): Record<(typeof LOCKED_FIELDS)[number], unknown> {
    const vendor = this.context.store.getOrganisation(template.organisationId);
    const { fields } = template;
    return {
      systemTypes: fields.systemTypes,
      serviceProtocol: fields.serviceProtocol,
      allowedIps: fields.allowedIps,
      endpoint: fields.endpoint ?? null,
      receiptEndpoint: fields.receiptEndpoint ?? null,
      technicalContact: fields.technicalContact,
      delegatedCVR: vendor?.cvrNumber ?? null,
    };
  }

  /**
   * A `MailSystemCommand` with its template's locked values filled in (admin.md §1.3): the
   * template the command names (a new system, `current` undefined, after
   * `vendorAgreementConfirmed: true`) or the one the system `current` was made from (which it
   * keeps). Without a template, the command as it is.
   */
  fill(
    body: unknown,
    current: SystemRecord | undefined,
  ): {
    command: unknown;
    given: Record<string, unknown>;
    template?: StandardSystemTemplateRecord;
    problems: CommandProblem[];
  } {
    const given =
      typeof body === 'object' && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    const kept = current?.details?.standardSystemTemplateId;
    const named = given.standardSystemTemplateId;
    const problem = (
      field: string,
      code: string,
      message: string,
      rejectedValue?: unknown,
    ): CommandProblem => ({
      resource: 'MailSystemCommand',
      field,
      code,
      message,
      rejectedValue,
    });
    if (
      kept !== undefined &&
      named !== undefined &&
      (typeof named !== 'string' || named.toLowerCase() !== kept)
    )
      return {
        command: body,
        given,
        problems: [
          problem(
            'standardSystemTemplateId',
            'NOT_ALLOWED_VALUE',
            `the system was made from template ${kept}, which it keeps`,
            named,
          ),
        ],
      };
    const id = kept ?? (typeof named === 'string' && isUuid(named) ? named : undefined);
    if (id === undefined) return { command: body, given, problems: [] };
    const template = this.find(id);
    if (template === undefined)
      return {
        command: body,
        given,
        problems: [
          problem(
            'standardSystemTemplateId',
            'NOT_FOUND',
            'names no standard system template (GET standard-system-templates)',
            named,
          ),
        ],
      };
    const problems =
      current === undefined && given.vendorAgreementConfirmed !== true
        ? [
            problem(
              'vendorAgreementConfirmed',
              'REQUIRED',
              "must be true: a system from a vendor's template needs an agreement with the vendor, which gets power of attorney",
              given.vendorAgreementConfirmed,
            ),
          ]
        : [];
    const { vendorAgreementConfirmed: _confirmed, ...rest } = given;
    return {
      command: { ...rest, ...this.lockedValues(template), standardSystemTemplateId: template.id },
      given,
      template,
      problems,
    };
  }

  /** The vendor organisation, by the CVR number `cvrNumber` (the systems' `delegatedCVR`). */
  private vendorOf(body: Record<string, unknown>): Organisation {
    const { cvrNumber } = body;
    if (!isCvrNumber(cvrNumber))
      throw reject.invalidField(
        'StandardSystemTemplateCommand',
        'cvrNumber',
        'REQUIRED',
        "is required: the vendor organisation's CVR number (8 digits)",
        cvrNumber,
      );
    const found = this.context.store.findOrganisationByCvr(cvrNumber);
    if (found === undefined) throw reject.notFound(`no organisation with CVR number ${cvrNumber}`);
    return found;
  }
}

/**
 * The locked fields a command gives other values than its template's (409 each), judged as the
 * command reads them: a fetched `MailSystem` sent back unchanged has none.
 */
export function lockedChanges(
  templated: { command: unknown; given: Record<string, unknown> },
  settings: MailSystemSettings,
): CommandProblem[] {
  const shownLocked = (of: MailSystemSettings, field: (typeof LOCKED_FIELDS)[number]): string =>
    JSON.stringify(
      field === 'systemTypes'
        ? [...of.roles].sort()
        : field === 'serviceProtocol'
          ? of.protocol
          : field === 'technicalContact' || field === 'delegatedCVR'
            ? of.details[field]
            : of[field],
    );
  return LOCKED_FIELDS.filter((field) => {
    const value = templated.given[field];
    if (value === undefined || value === null || value === '') return false;
    const alternative = readMailSystemCommand({
      ...(templated.command as object),
      [field]: value,
    }).settings;
    return alternative === undefined || shownLocked(alternative, field) !== shownLocked(settings, field);
  }).map((field) => ({
    resource: 'MailSystemCommand',
    field,
    code: 'LOCKED_BY_STANDARD_SYSTEM',
    message: 'is set by the standard system template',
    rejectedValue: templated.given[field],
  }));
}
