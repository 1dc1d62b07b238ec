/**
 * NgDP's vocabulary, shared by the SDK and the simulator: identifiers (UUID, CPR, CVR), enums with
 * NgDP's names and values, the JSON shapes both sides use, and the Danish calendar of value dates.
 */
export * from './enums.ts';
export * from './identifiers.ts';
export * from './time.ts';
export type * from './wire.ts';
