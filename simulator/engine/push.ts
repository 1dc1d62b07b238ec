/**
 * The HTTP calls NgDP makes to systems: MeMos as multipart/form-data (part `file`, filename = the
 * messageUUID), receipts and publish/subscribe notifications as JSON. Any 2xx is success; any other
 * status, a connection error or no answer within the timeout is a failed attempt.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';

export type PushOutcome = { ok: true; status: number } | { ok: false; status?: number; reason: string };

export interface PushRequest {
  url: string;
  body: Uint8Array | string;
  contentType: string;
  timeoutMs: number;
}

export async function push({ url, body, contentType, timeoutMs }: PushRequest): Promise<PushOutcome> {
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': contentType, 'user-agent': 'digitalpost-simulator' },
      signal: AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    await response.body.dump();
    const { statusCode } = response;
    return statusCode >= 200 && statusCode < 300
      ? { ok: true, status: statusCode }
      : { ok: false, status: statusCode, reason: `answered ${statusCode}` };
  } catch (error) {
    const name = (error as { name?: string }).name;
    const reason =
      name === 'TimeoutError' || name === 'AbortError'
        ? `no answer within ${timeoutMs} ms`
        : `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`;
    return { ok: false, reason };
  }
}

/** A multipart/form-data body with one part `file` holding the MeMo, as NgDP pushes it. */
export function memoMultipart(messageUUID: string, xml: Uint8Array): { body: Buffer; contentType: string } {
  const boundary = `----ngdp${randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${messageUUID}"\r\nContent-Type: application/xml\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return { body: Buffer.concat([head, xml, tail]), contentType: `multipart/form-data; boundary=${boundary}` };
}
