/** `client.validations`: NgDP's pre-validation of the HTML of a letter, before it is sent. */
import { InvalidOptionsError } from '../errors.ts';
import type { RequestOptions, Transport } from '../http/transport.ts';
import type { FieldErrorResource } from '../ngdp/wire.ts';
import { errorMessageShape, reading } from './responses.ts';

/** Options of {@link Validations.html}. */
export interface ValidateHtmlOptions extends RequestOptions {
  /** The name the HTML will have in the MeMo (`File/filename`), e.g. `afgoerelse.html`. */
  fileName?: string;
  /** `LENIENT` (NgDP's default) or `STRICT`. */
  policy?: 'STRICT' | 'LENIENT';
}

/** NgDP's verdict on an HTML document (`POST /validations/`). */
export interface HtmlValidation {
  /** Whether NgDP approves the HTML: its `code` says `APPROVED`. */
  approved: boolean;
  /** NgDP's code as given: `APPROVED` or `REJECTED` (the simulator's strings; NgDP's are undocumented). */
  code: string;
  message: string;
  /** Each finding: where (`field`), what (`code`, `message`) and the markup at fault (`rejectedValue`). */
  findings: FieldErrorResource[];
}

export class Validations {
  private readonly transport: Transport;

  constructor(transport: Transport) {
    this.transport = transport;
  }

  /**
   * Asks NgDP whether it takes `html` as a letter's HTML document, under `policy`. Nothing is sent
   * to anyone: the answer is a verdict (also when it rejects), and a 400 only when NgDP cannot
   * validate the request at all. Safe to retry.
   *
   * @throws InvalidOptionsError for a policy other than STRICT or LENIENT, or empty HTML.
   * @throws ApiError (by status), ConnectionError, TimeoutError when the call fails.
   */
  async html(html: string | Uint8Array, options: ValidateHtmlOptions = {}): Promise<HtmlValidation> {
    const { fileName, policy } = options;
    if (policy !== undefined && policy !== 'STRICT' && policy !== 'LENIENT')
      throw new InvalidOptionsError(
        `validations.html: policy must be STRICT or LENIENT, got ${String(policy)}`,
      );
    if (html.length === 0) throw new InvalidOptionsError('validations.html: the HTML is empty');
    const answer = await this.transport.json(
      {
        method: 'POST',
        path: '/validations/',
        query: { fileName, policy },
        body: html,
        contentType: 'text/html; charset=utf-8',
        idempotent: true,
      },
      options,
      reading(errorMessageShape),
    );
    return {
      approved: answer.code.toUpperCase() === 'APPROVED',
      code: answer.code,
      message: answer.message ?? '',
      findings: answer.fieldErrors ?? [],
    };
  }
}
