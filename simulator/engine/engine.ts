/**
 * The engine: NgDP's use cases over one shared context, wired together. Adapters (`http/`, `sftp/`)
 * get an {@link Engine} and call its use cases — `engine.intake.submitMemo(…)`,
 * `engine.recipients.fetch(…)`, … — never the store, the settings or the random source. The engine
 * also runs the jobs that fall due (deliveries, retries, value dates, late receipts) and moves a
 * manual clock.
 *
 * docs/architecture.md follows one letter from `POST /memos/` through these modules to a mailbox.
 */
import { type Clock, ManualClock } from '../clock.ts';
import type { Employee } from '../domain/employees.ts';
import type {
  Contact,
  ContactGroupRecord,
  ContactPoint,
  Job,
  JobKind,
  Organisation,
  StandardSystemTemplateRecord,
  SystemRecord,
} from '../domain/model.ts';
import { parseDuration, withinClockRange } from '../domain/time.ts';
import type { Store } from '../store/store.ts';
import { Access } from './access.ts';
import { AccessRequests } from './access-requests.ts';
import { AdminLog } from './admin-log.ts';
import { ContactStructure } from './contact-structure.ts';
import { ContactSheet } from './contact-structure-sheet.ts';
import { EngineContext, type EngineListener, type Logger, type RandomSource } from './context.ts';
import { Delivery } from './delivery.ts';
import { Directory } from './directory.ts';
import { EventLog } from './event-log.ts';
import { Exemptions } from './exemptions.ts';
import { Faults } from './faults.ts';
import { FileErrors } from './file-errors.ts';
import { EMPLOYEES, Identities } from './identities.ts';
import { IdentityAdmin } from './identity-admin.ts';
import { IdentityGroups } from './identity-groups.ts';
import { Injection } from './injection.ts';
import { Inspection } from './inspection.ts';
import { Intake } from './intake.ts';
import { Lookups } from './lookups.ts';
import { MailboxAccesses } from './mailbox-accesses.ts';
import { MemoCache } from './memo-cache.ts';
import { InlineMemoWork, type MemoWork } from './memo-work.ts';
import { MemoryBudget } from './memory-budget.ts';
import { OAuth } from './oauth.ts';
import { OrganisationAdmin } from './organisation-admin.ts';
import { CONTACT_GROUPS, Organisations } from './organisations.ts';
import type { Outbound } from './outbound.ts';
import { Processing } from './processing.ts';
import { Pusher } from './pushing.ts';
import { Recall } from './recall.ts';
import { Receipts } from './receipts.ts';
import { Recipients } from './recipients.ts';
import { reject } from './rejections.ts';
import { Rights } from './rights.ts';
import { Scheduler } from './scheduler.ts';
import type { EngineSettings } from './settings.ts';
import { STANDARD_SYSTEM_TEMPLATES, StandardSystems } from './standard-systems.ts';
import { Subscriptions } from './subscriptions.ts';
import { SystemAdmin } from './system-admin.ts';
import { SystemFetches } from './system-fetches.ts';
import { Systems } from './systems.ts';
import { Transcript } from './transcript.ts';
import { Validations } from './validations.ts';

/** The records a store starts with, and goes back to on a reset. */
export interface SeedRecords {
  organisations: Organisation[];
  systems: SystemRecord[];
  contactPoints: ContactPoint[];
  contacts: Contact[];
  /** Test employees of Administrativ Adgang. */
  employees?: Employee[];
  /** Optional: a seed without contact groups has none. */
  contactGroups?: ContactGroupRecord[];
  /** Vendors' standard system templates (optional). */
  standardSystemTemplates?: StandardSystemTemplateRecord[];
}

export interface EngineOptions {
  store: Store;
  clock: Clock;
  settings: EngineSettings;
  /** How the simulator calls systems (MeMos, receipts, notifications). */
  outbound: Outbound;
  /**
   * Where MeMos and containers are read (default: on the calling thread). The engine closes it
   * when it stops.
   */
  memoWork?: MemoWork;
  /** What a reset goes back to. */
  seed: SeedRecords;
  log?: Logger;
  /** Random source of chaos and fault probabilities (default Math.random). */
  random?: RandomSource;
  /** Real time for the transcript (default: clock.ts `wallTime`). */
  wallTime?: () => number;
}

/** What a redelivery asked for: the message and the pushes it will make. */
export interface Redelivered {
  messageUUID: string;
  pushes: number;
}

/** Jobs without I/O, which the scheduler runs in batches (one transaction each). */
const SYNC_JOBS: ReadonlySet<JobKind> = new Set([
  'process',
  'deliver',
  'receipt',
  'bulk',
  'send-sms',
  'expire',
]);

export class Engine {
  readonly clock: Clock;
  /** Who is calling, and whether they may. */
  readonly access: Access;
  /** Taking MeMos and bulk containers in. */
  readonly intake: Intake;
  /** The memory that request bodies, uploads and containers being read may hold together. */
  readonly memory: MemoryBudget;
  /** Why SFTP uploads were not taken. */
  readonly fileErrors: FileErrors;
  /** The recipient system's side: PULL queue, fetching, business receipts. */
  readonly recipients: Recipients;
  /** The sender system's business receipts. */
  readonly receipts: Receipts;
  readonly recall: Recall;
  /** Contacts and contact points. */
  readonly directory: Directory;
  /** Sender systems' contact and organisation subscriptions, and their notifications. */
  readonly subscriptions: Subscriptions;
  /** Moving the post of an organisation's mailbox to a contact point (`system-fetches`). */
  readonly systemFetches: SystemFetches;
  /** NgDP's pre-validation of a letter's HTML. */
  readonly validations = new Validations();
  /** Organisations and their contact groups, as systems look them up. */
  readonly organisations: Organisations;
  readonly systems: Systems;
  /** Administrativ Adgang's action log. */
  readonly adminLog: AdminLog;
  /** Test employees, their logins and tokens, and the rights of admin calls. */
  readonly identities: Identities;
  /** Rights: identity groups, grantees, privileges, and what an employee holds (Rettighedsportalen). */
  readonly rights: Rights;
  /** Administrativ Adgang's identities operations. */
  readonly identityAdmin: IdentityAdmin;
  /** Administrativ Adgang's identity-group operations. */
  readonly identityGroups: IdentityGroups;
  /** Administrativ Adgang's systems operations. */
  readonly systemAdmin: SystemAdmin;
  /** Exemptions from Digital Post (Administrativ Adgang). */
  readonly exemptions: Exemptions;
  /** Accesses to citizens' mailboxes (Administrativ Adgang). */
  readonly mailboxAccesses: MailboxAccesses;
  /** Access requests, their documentation and activation (Administrativ Adgang). */
  readonly accessRequests: AccessRequests;
  /** Vendors' standard system templates (admin.md §1.3). */
  readonly standardSystems: StandardSystems;
  /** NgDP's OAuth operations for test employees (`oauth/*`). */
  readonly oauth: OAuth;
  /** Employees' look-ups of citizens and companies, each in the search log. */
  readonly lookups: Lookups;
  /** Administrativ Adgang's authority information: the organisation and its logo. */
  readonly organisationAdmin: OrganisationAdmin;
  /** Administrativ Adgang's contact structure: contact groups and contact points. */
  readonly contactStructure: ContactStructure;
  /** The contact structure's export and import as one sheet. */
  readonly contactSheet: ContactSheet;
  /** NgDP's event log as systems read it. */
  readonly eventLog: EventLog;
  /** Fault rules and chaos. */
  readonly faults: Faults;
  /** A MeMo delivered to a recipient system as it is, without NgDP's checks (control API). */
  readonly injection: Injection;
  /** Delivery as the control API drives it: a message, or its receipt, pushed once more. */
  readonly redelivery: { memo(messageUUID: string): Redelivered; receipt(messageUUID: string): Redelivered };
  /** The simulator's state as the control API and web pages show it. */
  readonly inspection: Inspection;
  /** Every request systems made and every call the simulator made to them. */
  readonly transcript: Transcript;
  private readonly context: EngineContext;

  /** What a query parameter an operation does not declare gets (the API's query check reads it). */
  get undeclaredParameters(): 'refuse' | 'ignore' {
    return this.context.settings.undeclaredParameters;
  }

  private readonly scheduler: Scheduler;
  private readonly memos: MemoCache;
  private readonly work: MemoWork;
  private readonly processing: Processing;
  private readonly delivery: Delivery;
  private readonly seed: SeedRecords;

  constructor(options: EngineOptions) {
    const context = new EngineContext(options);
    this.context = context;
    this.clock = options.clock;
    this.seed = options.seed;
    this.scheduler = new Scheduler({
      store: options.store,
      clock: options.clock,
      run: (job) => this.run(job),
      sync: { isSync: (job) => this.isSync(job), run: (job) => this.runSync(job) },
      onError: (error, job) =>
        context.log(`job ${job.kind} ${job.messageUUID ?? job.receiptId ?? ''} failed: ${String(error)}`),
      giveUp: (job, error) => this.giveUp(job, error),
    });
    context.onChange(() => this.scheduler.wake());
    this.work = options.memoWork ?? new InlineMemoWork(options.settings.validation);
    this.memory = new MemoryBudget(options.settings.memoryBudgetBytes);
    this.memos = new MemoCache(options.store, this.work);
    this.faults = new Faults(context);
    this.transcript = new Transcript(context);
    const pusher = new Pusher(context, this.faults, this.transcript);
    this.access = new Access(context);
    this.systems = new Systems(context);
    this.receipts = new Receipts(context, this.faults, pusher, options.outbound);
    this.delivery = new Delivery(context, this.receipts, this.systems, pusher, options.outbound);
    this.injection = new Injection(context, this.delivery);
    this.redelivery = {
      memo: (messageUUID) => this.delivery.redeliver(messageUUID),
      receipt: (messageUUID) => this.receipts.redeliver(messageUUID),
    };
    this.processing = new Processing(context, this.memos, this.delivery, this.receipts);
    this.intake = new Intake(context, {
      memos: this.memos,
      processing: this.processing,
      receipts: this.receipts,
      work: this.work,
      memory: this.memory,
      afterCommit: () => this.scheduler.wake(),
    });
    this.fileErrors = new FileErrors(context);
    this.recipients = new Recipients(context, this.faults, this.receipts);
    this.recall = new Recall(context);
    this.subscriptions = new Subscriptions(context, pusher, options.outbound);
    this.adminLog = new AdminLog(context);
    this.directory = new Directory(context, this.faults, this.subscriptions, this.adminLog);
    this.systemFetches = new SystemFetches(context);
    this.organisations = new Organisations(context);
    this.eventLog = new EventLog(context, this.faults);
    this.inspection = new Inspection(context);
    this.rights = new Rights(context, this.adminLog);
    this.identities = new Identities(context, this.adminLog, this.rights, this.subscriptions);
    this.identityAdmin = new IdentityAdmin(context, this.adminLog, this.rights);
    this.identityGroups = new IdentityGroups(context, this.rights);
    this.standardSystems = new StandardSystems(context);
    this.systemAdmin = new SystemAdmin(context, this.systems, this.adminLog, this.standardSystems);
    this.exemptions = new Exemptions(context, this.directory, this.adminLog);
    this.mailboxAccesses = new MailboxAccesses(context, this.exemptions, this.adminLog);
    this.accessRequests = new AccessRequests(context, this.mailboxAccesses, this.adminLog);
    this.oauth = new OAuth(context, this.identities);
    this.lookups = new Lookups(context, this.adminLog);
    this.organisationAdmin = new OrganisationAdmin(context, this.adminLog, this.subscriptions);
    this.contactStructure = new ContactStructure(context, this.adminLog, this.organisations);
    this.contactSheet = new ContactSheet(context, this.contactStructure);
  }

  /** Listens to the engine's events (see `EngineEvent`); returns the function that stops listening. */
  listen(listener: EngineListener): () => void {
    return this.context.listen(listener);
  }

  /** Writes the seed into an empty store. */
  seedStore(): void {
    const { store } = this.context;
    const {
      organisations,
      systems,
      contactPoints,
      contacts,
      employees = [],
      contactGroups = [],
      standardSystemTemplates = [],
    } = this.seed;
    store.transaction(() => {
      for (const organisation of organisations) store.putOrganisation(organisation);
      for (const employee of employees) store.putRecord(EMPLOYEES, employee);
      this.rights.seed(employees);
      for (const group of contactGroups) store.putRecord(CONTACT_GROUPS, group);
      for (const system of systems) store.putSystem(system);
      for (const point of contactPoints) store.putContactPoint(point);
      for (const contact of contacts) store.putContact(contact);
      for (const template of standardSystemTemplates) store.putRecord(STANDARD_SYSTEM_TEMPLATES, template);
    });
  }

  /**
   * Starts running jobs as they fall due. A manual clock first resumes where the store left it
   * (with `--data-dir`, where it stood before a restart), or the store learns where it starts.
   */
  start(): void {
    this.rights.adoptStoredRights();
    if (this.clock instanceof ManualClock) {
      const kept = this.context.store.getClockTime();
      if (kept !== undefined && withinClockRange(kept)) this.clock.set(kept);
      else this.moveClock(this.clock.now());
    }
    this.scheduler.resume();
  }

  /** Resolves when no job is running and none is due. */
  idle(): Promise<void> {
    return this.scheduler.idle();
  }

  /**
   * Moves a manual clock forward `by` an ISO-8601 duration (`PT1H`) or a number of milliseconds,
   * running every job due on the way at its due time.
   *
   * @throws Rejection INVALID_FORMAT when `by` is neither; CLOCK_NOT_MANUAL when the clock is real;
   *   OUT_OF_RANGE when the clock would leave its range (domain/time.ts).
   */
  async advanceClock(by: unknown): Promise<void> {
    const ms = typeof by === 'string' ? parseDuration(by) : typeof by === 'number' ? by : undefined;
    if (ms === undefined || Number.isNaN(ms) || ms < 0) throw reject.clockValueInvalid('by', by);
    const clock = this.manualClock();
    const target = clock.now() + ms;
    if (!withinClockRange(target)) throw reject.clockOutOfRange('by', by);
    await this.scheduler.advanceTo(target, (instant) => this.moveClock(instant));
  }

  /**
   * Sets a manual clock `to` an ISO-8601 date-time or epoch milliseconds: forward runs what falls due
   * on the way; backward just sets it.
   *
   * @throws Rejection INVALID_FORMAT when `to` is neither; CLOCK_NOT_MANUAL when the clock is real;
   *   OUT_OF_RANGE outside the clock's range (domain/time.ts).
   */
  async setClock(to: unknown): Promise<void> {
    const instant = typeof to === 'string' ? Date.parse(to) : typeof to === 'number' ? to : Number.NaN;
    if (Number.isNaN(instant)) throw reject.clockValueInvalid('to', to);
    const clock = this.manualClock();
    if (!withinClockRange(instant)) throw reject.clockOutOfRange('to', to);
    if (instant >= clock.now()) await this.scheduler.advanceTo(instant, (at) => this.moveClock(at));
    else {
      this.moveClock(instant);
      await this.scheduler.idle();
    }
  }

  private manualClock(): ManualClock {
    if (!(this.clock instanceof ManualClock)) throw reject.clockNotManual();
    return this.clock;
  }

  /** Sets the manual clock and keeps its time in the store, before any job runs at that time. */
  private moveClock(instant: number): void {
    const { store } = this.context;
    this.manualClock().set(instant);
    store.transaction(() => store.putClockTime(instant));
  }

  /** Back to the seed: every message, receipt, event, job, fault rule and transcript entry gone. */
  async reset(): Promise<void> {
    const { store } = this.context;
    await this.scheduler.stop();
    store.transaction(() => {
      store.clear();
      // The clock stays where it is (docs/simulator.md).
      if (this.clock instanceof ManualClock) store.putClockTime(this.clock.now());
    });
    this.seedStore();
    this.memos.clear();
    this.faults.clear();
    this.transcript.clear();
    this.context.emit({ type: 'reset' });
    this.scheduler.resume();
  }

  /** Stops running jobs and the MeMo work; resolves when running jobs have finished. */
  async stop(): Promise<void> {
    await this.scheduler.stop();
    await this.work.close();
  }

  // ---------------------------------------------------------------- jobs

  /**
   * A job failed too often and is given up (a bug; the scheduler removed it): the message it was
   * for gets a final state and a receipt, unless it has one. (A failing `process` job never gets
   * here: processing rejects its message itself.)
   */
  private giveUp(job: Job, error: unknown): void {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    this.context.log(`job ${job.kind} ${job.messageUUID ?? job.receiptId ?? ''} given up: ${reason}`);
    // A redelivery is evidence only: whatever became of it, its message stays as it is.
    if (job.messageUUID !== undefined && job.kind !== 'redeliver')
      this.context.change(() => this.delivery.abandon(job.messageUUID as string, reason));
  }

  /**
   * A job without I/O, which can run in a batch: all but pushes, and processing of a message whose
   * MeMo must first be read again (after a restart, or when the cache let it go).
   */
  private isSync(job: Job): boolean {
    if (job.kind === 'process') return this.memos.has(job.messageUUID as string);
    return SYNC_JOBS.has(job.kind);
  }

  /** Runs a job that does I/O (a push, reading a MeMo again), or any other. */
  private run(job: Job): Promise<void> | void {
    switch (job.kind) {
      case 'process':
        return this.memos.load(job.messageUUID as string).then(() => this.processing.process(job));
      case 'push-memo':
        return this.delivery.pushMemo(job);
      case 'push-notification':
        return this.delivery.pushNotification(job);
      case 'push-receipt':
        return this.receipts.push(job);
      case 'notify-subscriber':
        return this.subscriptions.notify(job);
      case 'redeliver':
        return job.data?.receipt === true ? this.receipts.redeliverDue(job) : this.delivery.redeliverDue(job);
      default:
        return this.runSync(job);
    }
  }

  /** Ends what the administration made for a time (an `expire` job names what). */
  private expireDue(job: Job): void {
    if (job.data?.what === 'exemption') this.exemptions.expireDue(job);
    else if (job.data?.what === 'access') this.mailboxAccesses.expireDue(job);
    else this.context.change(() => this.context.store.deleteJob(job.id));
  }

  /** Runs a job that only changes state (the scheduler batches these into one transaction). */
  private runSync(job: Job): void {
    switch (job.kind) {
      case 'process':
        this.processing.process(job);
        return;
      case 'deliver':
        this.delivery.deliverDue(job);
        return;
      case 'receipt':
        this.receipts.issueDue(job);
        return;
      case 'send-sms':
        this.delivery.sendSmsDue(job);
        return;
      case 'expire':
        this.expireDue(job);
        return;
      default:
        this.context.change(() => this.context.store.deleteJob(job.id));
    }
  }
}
