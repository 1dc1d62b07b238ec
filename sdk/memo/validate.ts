/**
 * Validation of a MeMo: the schema's rules (cardinality, facets, the Action choice, version
 * differences) on the model, NgDP's rules beyond the schema (see rules.ts), and — for XML input —
 * the structural checks of the reader. Every problem is reported, not just the first.
 */
import { InvalidOptionsError, MemoParseError } from '../errors.ts';
import { checkLimitOption, cutValueLength, DEFAULT_LIMITS, type ReadLimitOptions } from './limits.ts';
import { readMemo } from './reader.ts';
import { checkNgdpRules } from './rules.ts';
import { type ComplexType, existsIn, isComplex, MessageType, type Particle, segment } from './schema.ts';
import { checkSimpleValue } from './simple-types.ts';
import type { Memo, MemoIssue, MemoVersion } from './types.ts';

/** Options of {@link validateMemo}; the limits (limits.ts) apply to reading XML too. */
export interface ValidateOptions extends ReadLimitOptions {
  /**
   * `ngdp` (default): the schema plus NgDP's rules beyond it (CPR/CVR format, https Action URLs,
   * filenames, attachment count and size, …). `schema`: the XSD's rules only.
   */
  rules?: 'ngdp' | 'schema';
  /**
   * For XML input: validate against this version's schema whatever `memoVersion` says (any decimal
   * is then accepted there), as `xmllint --schema` does with one schema file.
   */
  version?: MemoVersion;
  /** Maximum number of attachments (AdditionalDocument elements). Default 10. NgDP rules only. */
  maxAttachments?: number;
  /** Maximum total size of all decoded file contents, in bytes. Default 99,500,000. NgDP rules only. */
  maxTotalContentBytes?: number;
}

/** Resolved {@link ValidateOptions}. */
export interface ValidationSettings extends Required<ReadLimitOptions> {
  rules: 'ngdp' | 'schema';
  maxAttachments: number;
  maxTotalContentBytes: number;
}

/** The outcome of {@link validateMemo}. */
export interface ValidationResult {
  /** True when there are no issues (warnings do not count). */
  valid: boolean;
  /** The MeMo version validated against; undefined when the input could not be read at all. */
  version: MemoVersion | undefined;
  /** The model: the input itself, or what was read from the XML; undefined when unreadable. */
  memo: Memo | undefined;
  /** Every problem, in document order as far as possible. */
  issues: MemoIssue[];
  /** Findings that do not make the MeMo invalid (e.g. an Action that ends before it starts). */
  warnings: MemoIssue[];
}

export const DEFAULT_VALIDATION: Readonly<ValidationSettings> = {
  rules: 'ngdp',
  ...DEFAULT_LIMITS,
  maxAttachments: 10,
  maxTotalContentBytes: 99_500_000,
};

/** Resolves and checks {@link ValidateOptions}; throws InvalidOptionsError for a bad one. */
export function validationSettings(options: ValidateOptions): ValidationSettings {
  const settings = { ...DEFAULT_VALIDATION };
  for (const key of ['notificationMaxLength', 'maxValueLength', 'maxElements'] as const) {
    if (options[key] !== undefined) settings[key] = checkLimitOption(options[key], key, 'validateMemo');
  }
  for (const key of ['maxAttachments', 'maxTotalContentBytes'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidOptionsError(
        `validateMemo: ${key} must be a non-negative integer, got ${String(value)}`,
      );
    }
    settings[key] = value;
  }
  if (options.rules !== undefined) {
    if (options.rules !== 'ngdp' && options.rules !== 'schema') {
      throw new InvalidOptionsError(
        `validateMemo: rules must be "ngdp" or "schema", got ${String(options.rules)}`,
      );
    }
    settings.rules = options.rules;
  }
  return settings;
}

function join(path: string, step: string): string {
  return path === '' ? step : `${path}/${step}`;
}

/** Checks the model against the schema table. */
class ModelChecker {
  readonly issues: MemoIssue[] = [];
  private readonly version: MemoVersion;
  private readonly settings: ValidationSettings;

  constructor(version: MemoVersion, settings: ValidationSettings) {
    this.version = version;
    this.settings = settings;
  }

  private issue(path: string, code: string, message: string): void {
    this.issues.push({ path, code, message });
  }

  checkMessage(memo: Memo): void {
    if (memo.version !== '1.1' && memo.version !== '1.2') {
      this.issue(
        '@memoVersion',
        'UNSUPPORTED_VERSION',
        `version must be "1.1" or "1.2", got ${JSON.stringify(memo.version)}`,
      );
    }
    if (memo.schemaVersion !== undefined) {
      if (this.version === '1.2') {
        this.issue('@memoSchVersion', 'NOT_ALLOWED_IN_VERSION', 'memoSchVersion exists only in MeMo 1.1');
      } else this.checkLeaf('text', memo, 'schemaVersion', '@memoSchVersion', 'memoSchVersion');
    }
    this.checkComplex(memo, MessageType, '');
  }

  private checkComplex(value: unknown, type: ComplexType, path: string): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.issue(path, 'INVALID_VALUE', `${type.name} must be an object`);
      return;
    }
    const object = value as Record<string, unknown>;
    let chosen: Particle | undefined;
    for (const particle of type.particles) {
      const item = object[particle.key];
      const absent = item === undefined || item === null || (Array.isArray(item) && item.length === 0);
      if (absent) {
        // requiredIn elements have a default the serializer writes; the reader reports them missing.
        if (particle.min > 0 && particle.requiredIn === undefined) {
          this.issue(
            join(path, particle.name),
            'MISSING_ELEMENT',
            `${type.name} must contain ${particle.name}`,
          );
        }
        continue;
      }
      if (!existsIn(particle, this.version)) {
        this.issue(
          join(path, particle.name),
          'NOT_ALLOWED_IN_VERSION',
          `${particle.name} exists only in MeMo ${particle.only}, this is MeMo ${this.version}`,
        );
        continue;
      }
      if (particle.choice !== undefined) {
        if (chosen !== undefined) {
          this.issue(
            join(path, particle.name),
            'CHOICE_VIOLATED',
            `${type.name} may contain ${chosen.name} or ${particle.name}, not both`,
          );
        }
        chosen ??= particle;
      }
      if (particle.max > 1) this.checkRepeated(particle, item, path, type);
      else this.checkItem(particle, object, particle.key, join(path, particle.name));
    }
  }

  private checkRepeated(particle: Particle, items: unknown, path: string, parent: ComplexType): void {
    if (!Array.isArray(items)) {
      this.issue(join(path, particle.name), 'INVALID_VALUE', `${particle.key} must be an array`);
      return;
    }
    if (items.length > particle.max) {
      this.issue(
        join(path, segment(particle, particle.max)),
        'TOO_MANY_ELEMENTS',
        `${parent.name} may contain at most ${particle.max} ${particle.name}, found ${items.length}`,
      );
    }
    for (let index = 0; index < items.length; index++)
      this.checkItem(particle, items, String(index), join(path, segment(particle, index)));
  }

  /** Checks `owner[key]`: the element's object, or one of an array of repeated elements. */
  private checkItem(particle: Particle, owner: object, key: string, path: string): void {
    const { type } = particle;
    const item = (owner as Record<string, unknown>)[key];
    if (isComplex(type)) this.checkComplex(item, type, path);
    else if (type === 'boolean') {
      if (typeof item !== 'boolean') this.issue(path, 'INVALID_VALUE', `${particle.name} must be a boolean`);
    } else if (type === 'base64') {
      if (!(item instanceof Uint8Array)) {
        this.issue(path, 'INVALID_VALUE', `${particle.name} must be bytes (a Uint8Array or Buffer)`);
      }
    } else this.checkLeaf(type, owner, key, path, particle.name);
  }

  /** Checks the string value `owner[key]`, as whole as the reader left it (limits.ts). */
  private checkLeaf(
    type: Parameters<typeof checkSimpleValue>[0],
    owner: object,
    key: string,
    path: string,
    name: string,
  ): void {
    const item = (owner as Record<string, unknown>)[key];
    if (typeof item !== 'string') {
      this.issue(path, 'INVALID_VALUE', `${name} must be a string, got ${typeof item}`);
      return;
    }
    const problem = checkSimpleValue(type, item, this.settings, cutValueLength(owner, key));
    if (problem !== undefined) this.issue(path, problem.code, `${name} ${problem.message}`);
  }
}

/**
 * Validates a MeMo — a model, or XML as a string or UTF-8 bytes — and reports every problem.
 * Never throws for a bad MeMo: an unreadable document gives one issue (code `XML_MALFORMED`,
 * `XML_FORBIDDEN_MARKUP`, `XML_ENCODING_UNSUPPORTED`, `XML_LIMIT_EXCEEDED` or `NOT_A_MEMO`) and
 * `memo: undefined`.
 *
 * @throws InvalidOptionsError when the options are invalid.
 */
export function validateMemo(
  input: Memo | string | Uint8Array,
  options: ValidateOptions = {},
): ValidationResult {
  const settings = validationSettings(options);
  let memo: Memo;
  let issues: MemoIssue[];
  if (typeof input === 'string' || input instanceof Uint8Array) {
    try {
      const { notificationMaxLength, maxValueLength, maxElements } = settings;
      ({ memo, issues } = readMemo(input, {
        notificationMaxLength,
        maxValueLength,
        maxElements,
        ...(options.version === undefined ? {} : { version: options.version }),
      }));
    } catch (error) {
      if (!(error instanceof MemoParseError)) throw error;
      return {
        valid: false,
        version: undefined,
        memo: undefined,
        issues: [{ path: '', code: error.code, message: error.message }],
        warnings: [],
      };
    }
  } else {
    memo = input;
    issues = [];
  }
  const version: MemoVersion = memo.version === '1.1' ? '1.1' : '1.2';
  const checker = new ModelChecker(version, settings);
  checker.checkMessage(memo);
  issues.push(...checker.issues);
  const warnings: MemoIssue[] = [];
  if (settings.rules === 'ngdp') checkNgdpRules(memo, settings, issues, warnings);
  return { valid: issues.length === 0, version, memo, issues, warnings };
}
