/**
 * Every answer of NgDP's API (`/apis/v1`), told on a `node:diagnostics_channel` channel for whoever
 * holds the simulator to its contract: the project's tests check each one against the response
 * schema of its operation and status in NgDP's OpenAPI file (`test/support/contract.ts`).
 *
 * Nothing is kept and nothing is wrapped unless someone subscribes: a request that arrives while the
 * channel has no subscriber costs one boolean check. A subscriber gets the JSON body as the route
 * gave it (the object, before serialisation), never a buffer of the bytes.
 */
import diagnosticsChannel from 'node:diagnostics_channel';
import type { NextFunction, Request, Response } from 'express';
import type { TranscriptFault } from '../engine/transcript.ts';
import { noteOf } from './transcript.ts';

/** The channel's name. */
export const API_RESPONSES_CHANNEL = 'digitalpost:simulator:api-response';

/** One answer of NgDP's API, as told on {@link API_RESPONSES_CHANNEL}. */
export interface ApiResponseMessage {
  method: string;
  /** The path under `/apis/v1`, without the query. */
  path: string;
  status: number;
  /** The answer's media type (`application/json`), without parameters; undefined without a body. */
  contentType: string | undefined;
  /** The value the route answered with `response.json()`; undefined for other bodies or none. */
  json: unknown;
  /** Whether the route answered with `response.json()` (a JSON `null` body is still a body). */
  hasJson: boolean;
  /** Set when a fault rule or chaos answered in the route's place (the answer is the rule's). */
  fault: TranscriptFault | null;
  /**
   * Whether the request asked for some fields only (the query language's `fields`): the items then
   * lack properties their schema calls required, as the caller asked.
   */
  projected: boolean;
}

const channel = diagnosticsChannel.channel(API_RESPONSES_CHANNEL);

/** Express middleware for `/apis/v1`: tells the channel each answer once it has gone out. */
export function publishApiResponses(request: Request, response: Response, next: NextFunction): void {
  if (!channel.hasSubscribers) {
    next();
    return;
  }
  const path = request.path;
  let body: { value: unknown } | undefined;
  const json = response.json;
  response.json = function answer(this: Response, value: unknown) {
    body = { value };
    return json.call(this, value);
  };
  response.once('finish', () => {
    const contentType = response.getHeader('content-type');
    const message: ApiResponseMessage = {
      method: request.method,
      path,
      status: response.statusCode,
      contentType: typeof contentType === 'string' ? contentType.split(';')[0]?.trim() : undefined,
      json: body?.value,
      hasJson: body !== undefined,
      fault: noteOf(request)?.fault ?? null,
      projected: request.query.fields !== undefined,
    };
    channel.publish(message);
  });
  next();
}
