/**
 * The engine's settings: explicit objects with defaults, checked once at the boundary
 * (`startSimulator`'s options, the CLI's flags) and read-only below it.
 */
import type { ReadContainerOptions } from '../../sdk/memo/container.ts';
import type { ValidationRules } from '../domain/memo-digest.ts';
import { DEFAULT_RETRY_SCHEDULE, type RetrySchedule } from '../domain/retry.ts';

/** Behaviour switches of `--chaos`; each can be set on its own. */
export interface ChaosSettings {
  /** Share of `POST /memos/` answered 503 (default with --chaos: 0.05). */
  rejectRate: number;
  /** Business receipts are delayed by a random 0..this many ms of simulator time (60 000). */
  receiptDelayMaxMs: number;
  /** Share of successful PUSH deliveries that are repeated (0.1). */
  duplicatePushRate: number;
  /** List endpoints answer with a random page size up to the one asked for. */
  randomPageSizes: boolean;
}

export const NO_CHAOS: ChaosSettings = {
  rejectRate: 0,
  receiptDelayMaxMs: 0,
  duplicatePushRate: 0,
  randomPageSizes: false,
};

export const DEFAULT_CHAOS: ChaosSettings = {
  rejectRate: 0.05,
  receiptDelayMaxMs: 60_000,
  duplicatePushRate: 0.1,
  randomPageSizes: true,
};

/** Limits of a bulk container: compressed bytes, entries, bytes per entry and in all. */
export type ContainerLimits = { maxBytes: number } & Required<
  Pick<ReadContainerOptions, 'maxEntries' | 'maxEntryBytes' | 'maxTotalBytes'>
>;

export interface EngineSettings {
  /** How many days after today a value date may lie (default 5). */
  valueDateHorizonDays: number;
  /** Register unknown, well-formed CPR/CVR numbers instead of rejecting them (`--loose`). */
  loose: boolean;
  /**
   * When a mailbox letter with a value date gets its business receipt: `delivery` (docs/differences.md,
   * default) or `acceptance` (DIGST: NgDP processes and receipts at once, holding only delivery).
   */
  valueDateReceipt: 'delivery' | 'acceptance';
  retry: RetrySchedule;
  /** A push that gets no answer within this many real ms fails (default 30 000). */
  pushTimeoutMs: number;
  /** A recipient system whose every delivery failed for this long is deactivated (7 days). */
  deactivateAfterMs: number;
  /** Largest MeMo `POST /memos/` (and an SFTP `.xml` file) takes, in bytes (default 140 MB). */
  maxMemoBytes: number;
  /**
   * Take request bodies without `Content-Length` (chunked) where NgDP declares it required (`POST
   * /memos/`, `POST /validations/`); by default they are refused 400 `LENGTH_REQUIRED`.
   */
  acceptChunked: boolean;
  /** A query parameter an operation does not declare: refused 400 (default), or ignored. */
  undeclaredParameters: 'refuse' | 'ignore';
  container: ContainerLimits;
  /**
   * Bytes that request bodies, SFTP uploads and containers being read may hold in memory together
   * (`engine/memory-budget.ts`; default 1 GiB).
   */
  memoryBudgetBytes: number;
  /** The MeMo rules applied to received messages. */
  validation: ValidationRules;
  chaos: ChaosSettings;
  /** How many entries the transcript keeps (`engine/transcript.ts`; default 100,000; 0: none). */
  transcriptSize: number;
  /** Administrativ Adgang (docs/admin.md). */
  admin: AdminSettings;
}

/** How the administration's calls behave where NgDP's is unknown (docs/differences.md). */
export interface AdminSettings {
  /** How long an employee's bearer token is valid, in ms of the simulator clock (default 1 hour). */
  tokenLifetimeMs: number;
  /**
   * Whether a change without `If-Match` is refused where the OpenAPI declares the header required
   * (default true; false: a change without it applies to the current version, as admin.md §0.2 has it).
   */
  ifMatchRequired: boolean;
  /** The largest logo an organisation may upload, in bytes (default 512 KiB; admin.md §7). */
  logoMaxBytes: number;
  /**
   * Whether deleting a contact group with groups or points below it needs the confirmation header
   * `X-Confirm-Delete: true` (default true, admin.md §2.4; false: deleted without).
   */
  confirmGroupDeletion: boolean;
}

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  valueDateHorizonDays: 5,
  loose: false,
  valueDateReceipt: 'delivery',
  retry: DEFAULT_RETRY_SCHEDULE,
  pushTimeoutMs: 30_000,
  deactivateAfterMs: 7 * 24 * 3_600_000,
  maxMemoBytes: 140 * 1024 * 1024,
  acceptChunked: false,
  undeclaredParameters: 'refuse',
  container: {
    maxBytes: 140 * 1024 * 1024,
    maxEntries: 100_000,
    maxEntryBytes: 140 * 1024 * 1024,
    maxTotalBytes: 1024 * 1024 * 1024,
  },
  memoryBudgetBytes: 1024 * 1024 * 1024,
  validation: {},
  chaos: NO_CHAOS,
  transcriptSize: 100_000,
  admin: {
    tokenLifetimeMs: 3_600_000,
    ifMatchRequired: true,
    logoMaxBytes: 524_288,
    confirmGroupDeletion: true,
  },
};
