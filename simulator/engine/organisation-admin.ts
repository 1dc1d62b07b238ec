/**
 * Administrativ Adgang's authority information (admin.md §7; docs/admin.md, "The organisation and
 * its logo"): an employee reads and changes its context organisation and its logo. Each change is
 * one version of the organisation, writes its action-log rows (subject "Myndighedsinformation")
 * and tells the sender systems that subscribe to the organisation.
 */

import type { Organisation, OrganisationInfo } from '../domain/model.ts';
import { logoProblem, readOrganisationCommand } from '../domain/organisation-info.ts';
import { collection } from '../store/store.ts';
import type { AdminLog } from './admin-log.ts';
import type { EngineContext } from './context.ts';
import type { AdminCaller } from './identities.ts';
import { Rejection, reject } from './rejections.ts';
import type { Subscriptions } from './subscriptions.ts';
import { expectVersion, type VersionCheck } from './versions.ts';

/** An organisation's logo: the PNG's bytes, base64 (id: the organisation's id). */
interface LogoBytes {
  id: string;
  organisationId: string;
  png: string;
}

/** The logos' bytes (scope: the organisation), apart from the organisation's record. */
export const LOGOS = collection<LogoBytes>('logos', (logo) => logo.organisationId);

/** A logo as it is fetched. */
export interface LogoFile {
  png: Buffer;
  version: number;
}

/** The fields of the authority information the action log shows. */
function shown(organisation: Organisation): Record<string, unknown> {
  const info = organisation.info ?? {};
  return {
    authorityId: info.authorityId,
    authorityTerms: info.authorityTerms,
    legalContact: info.legalContact,
    rightsIntroductionCompleted: info.rightsIntroductionCompleted,
    logo: info.logo === undefined ? undefined : `PNG, ${info.logo.fileSize} bytes`,
  };
}

export class OrganisationAdmin {
  private readonly context: EngineContext;
  private readonly log: AdminLog;
  private readonly subscriptions: Subscriptions;

  constructor(context: EngineContext, log: AdminLog, subscriptions: Subscriptions) {
    this.context = context;
    this.log = log;
    this.subscriptions = subscriptions;
  }

  /**
   * The most an upload may hold: larger ones are refused unread (400 MESSAGE_TOO_LARGE); up to it,
   * the logo rules judge the file (TOO_LARGE names the limit).
   */
  logoUploadLimit(): number {
    return this.context.settings.admin.logoMaxBytes * 4;
  }

  /** The caller's context organisation (the guard has checked that the path names it). */
  get(caller: AdminCaller): Organisation {
    return caller.organisation;
  }

  /**
   * Changes the authority information from an `OrganisationCommand`: fields left out keep their
   * values; fields NgDP keeps may be repeated, not changed.
   *
   * @throws Rejection 400 with every field at fault; 409 VERSION_CONFLICT.
   */
  update(caller: AdminCaller, body: unknown, version: VersionCheck): Organisation {
    const current = this.current(caller, version);
    const read = readOrganisationCommand(current, body);
    if (read.info === undefined)
      throw new Rejection(
        'invalid',
        read.problems[0]?.code ?? 'INVALID_FORMAT',
        read.problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
        read.problems,
      );
    return this.save(caller, current, read.info);
  }

  /**
   * The organisation's logo.
   *
   * @throws Rejection NOT_FOUND when it has none.
   */
  logo(caller: AdminCaller): LogoFile {
    const { logo } = caller.organisation.info ?? {};
    const bytes = this.context.store.getRecord(LOGOS, caller.organisation.id);
    if (logo === undefined || bytes === undefined)
      throw reject.notFound(`organisation ${caller.organisation.id} has no logo`);
    return { png: Buffer.from(bytes.png, 'base64'), version: caller.organisation.version ?? 1 };
  }

  /**
   * Sets the organisation's logo: a square PNG of at least 200 × 200 pixels and at most 512 KiB
   * (admin.md §7), shown with its post from now on.
   *
   * @throws Rejection 400 on `file` (INVALID_FORMAT, TOO_LARGE, NOT_SQUARE, TOO_SMALL); 409
   *   VERSION_CONFLICT.
   */
  putLogo(caller: AdminCaller, file: Buffer, version: VersionCheck): Organisation {
    const current = this.current(caller, version);
    const problem = logoProblem(file, this.context.settings.admin.logoMaxBytes);
    if (problem !== undefined) throw reject.invalidField('file', 'file', problem.code, problem.message);
    const logo = { id: this.context.newId(), fileSize: file.length, version: (current.version ?? 1) + 1 };
    return this.save(caller, current, { ...current.info, logo }, () =>
      this.context.store.putRecord(LOGOS, {
        id: current.id,
        organisationId: current.id,
        png: file.toString('base64'),
      }),
    );
  }

  /**
   * Removes the organisation's logo.
   *
   * @throws Rejection NOT_FOUND when it has none; 409 VERSION_CONFLICT.
   */
  deleteLogo(caller: AdminCaller, version: VersionCheck): void {
    const current = this.current(caller, version);
    if (current.info?.logo === undefined) throw reject.notFound(`organisation ${current.id} has no logo`);
    const { logo: _removed, ...info } = current.info;
    this.save(caller, current, info, () => this.context.store.deleteRecord(LOGOS, current.id));
  }

  // ---------------------------------------------------------------- helpers

  /** The context organisation as stored, at the version `version` names. */
  private current(caller: AdminCaller, version: VersionCheck): Organisation {
    const current = this.context.store.getOrganisation(caller.organisation.id) ?? caller.organisation;
    expectVersion(this.context, `organisation ${current.id}`, current.version ?? 1, version);
    return current;
  }

  /**
   * Stores the organisation with `info`, one version on, logged and told to its subscribers — with
   * `also` (the logo's bytes) in the same transaction.
   */
  private save(
    caller: AdminCaller,
    current: Organisation,
    info: OrganisationInfo,
    also?: () => void,
  ): Organisation {
    const next: Organisation = {
      ...current,
      info,
      version: (current.version ?? 1) + 1,
      lastUpdated: this.context.now(),
    };
    this.context.change(() => {
      this.context.store.putOrganisation(next);
      also?.();
      this.log.changed(caller, {
        subject: 'Myndighedsinformation',
        resourceId: next.id,
        name: next.name,
        cprCvr: next.cvrNumber,
        event: 'Redigeret',
        eventTag: 'CONTACT_CVR_UPDATED',
        before: shown(current),
        after: shown(next),
      });
      this.subscriptions.organisationChanged(next, 'UPDATED');
    });
    return next;
  }
}
