/**
 * NgDP's pre-validation (`POST /validations/`): an HTML document meant for a letter, checked under
 * a policy (`STRICT` or `LENIENT`) with its declared file name, and the verdict answered — nothing is
 * stored, sent or logged. The checks are `sdk/memo`'s (`checkHtml`), so that the SDK and the
 * simulator judge HTML alike.
 */
import { checkHtml, type HtmlCheck, type HtmlPolicy } from '../../sdk/memo/html.ts';
import { reject } from './rejections.ts';

/**
 * The largest HTML document checked, in bytes. The check runs where the request arrives, so it is
 * bounded well below a MeMo's size (a letter's HTML is kilobytes).
 */
export const MAX_HTML_BYTES = 10 * 1024 * 1024;

export interface HtmlValidation extends HtmlCheck {
  policy: HtmlPolicy;
  fileName: string | undefined;
}

export class Validations {
  /** The largest HTML document taken, in bytes: request bodies past it are refused. */
  readonly maxBytes = MAX_HTML_BYTES;

  /**
   * Checks `html` under `policy`.
   *
   * @throws Rejection INVALID_BODY for an empty document, MESSAGE_TOO_LARGE past {@link maxBytes}.
   */
  async validate(html: Uint8Array, policy: HtmlPolicy, fileName?: string): Promise<HtmlValidation> {
    if (html.byteLength === 0)
      throw reject.invalidBody('there is no HTML to validate: the resource is empty');
    if (html.byteLength > this.maxBytes)
      throw reject.tooLarge(`the HTML is larger than ${this.maxBytes} bytes`);
    return { ...(await checkHtml(html, policy, fileName)), policy, fileName };
  }
}
