/** Checks shared by the use cases that take a JSON command. */
import { reject } from './rejections.ts';

/**
 * Refuses the first field of `body` that is not one of `fields` (400 `UNKNOWN_FIELD`): a misspelt
 * name would otherwise be dropped without a word.
 */
export function onlyFields(resource: string, body: Record<string, unknown>, fields: readonly string[]): void {
  const unknown = Object.keys(body).find((name) => !fields.includes(name));
  if (unknown !== undefined) throw reject.unknownField(resource, unknown, body[unknown]);
}
