/**
 * `POST /validations/`: NgDP's pre-validation of a letter's HTML (ngdp-api.md §3.6). The body is the
 * HTML itself (`text/html`), or NgDP's `Body` `{"resource": "<base64>"}` — which clients generated
 * from the OpenAPI file send, still labelled `text/html` — as JSON. `fileName` and `policy`
 * (`STRICT` or `LENIENT`, the default) are query parameters; `Content-Length` is required.
 */
import type { Request } from 'express';
import { decodeBase64 } from '../../../sdk/memo/base64.ts';
import { HTML_POLICIES, type HtmlPolicy } from '../../../sdk/memo/html.ts';
import type { Engine } from '../../engine/engine.ts';
import { reject } from '../../engine/rejections.ts';
import { validationJson } from '../../wire/validations.ts';
import { requireIdentityEncoding } from '../encoding.ts';
import { mediaType, queryText, readBody, requireLength } from '../support.ts';
import type { Caller, Serve } from './serve.ts';

const SENDER = ['SENDER'] as const;

/** The `policy` query parameter: STRICT or LENIENT (the default). */
function policyOf(request: Request): HtmlPolicy {
  const policy = queryText(request, 'policy');
  if (policy === undefined || policy === '') return 'LENIENT';
  if (!(HTML_POLICIES as readonly string[]).includes(policy))
    throw reject.invalidParameter('policy', `must be ${HTML_POLICIES.join(' or ')}`, policy);
  return policy as HtmlPolicy;
}

/** NgDP's `Body` `{"resource": "<base64>"}`, when `text` is one; undefined when it is not JSON. */
function resourceOf(text: string, json: boolean): Uint8Array | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    if (json) throw reject.invalidJson('the body is not valid JSON');
    return undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (json) throw reject.invalidBody('the body must be NgDP\'s Body {"resource": "<base64>"}');
    return undefined;
  }
  const { resource } = body as { resource?: unknown };
  if (typeof resource !== 'string')
    throw reject.requiredField('body', 'resource', 'is required: the HTML, base64-encoded');
  const decoded = decodeBase64(resource);
  if (!decoded.ok)
    throw reject.invalidField('body', 'resource', 'INVALID_FORMAT', `is not base64: ${decoded.reason}`);
  return decoded.bytes;
}

/** The HTML of the request: the body itself, or the resource of NgDP's JSON `Body`. */
function htmlOf(body: Buffer, type: string): Uint8Array {
  const json = type === 'application/json';
  const text = body.subarray(0, 1).toString('latin1') === '{' || json ? body.toString('utf8') : undefined;
  return (text === undefined ? undefined : resourceOf(text, json)) ?? body;
}

/** Routes `POST /validations/`. */
export function serveValidations(engine: Engine, on: Serve, caller: Caller): void {
  on('validate', async (request, response) => {
    const system = await caller(request, response, SENDER, 'POST /validations/');
    if (system === undefined) return;
    const hold = engine.memory.hold('the HTML');
    try {
      requireIdentityEncoding(request);
      requireLength(request, 'POST /validations/', engine.intake.limits.lengthRequired);
      const type = mediaType(request);
      if (type !== 'text/html' && type !== 'application/json')
        throw reject.contentTypeNotSupported(
          `Content-Type must be text/html (the HTML, or NgDP's Body {"resource": "<base64>"}) or application/json (that Body)${type ? `, not ${type}` : ''}: only HTML is validated`,
        );
      const policy = policyOf(request);
      const fileName = queryText(request, 'fileName');
      // Base64 makes the Body a third larger than the HTML it carries.
      const body = await readBody(
        request,
        Math.ceil((engine.validations.maxBytes * 4) / 3) + 1024,
        'the body',
        hold,
      );
      response
        .status(201)
        .json(validationJson(await engine.validations.validate(htmlOf(body, type), policy, fileName)));
    } catch (error) {
      request.resume();
      throw error;
    } finally {
      hold.release();
    }
  });
}
