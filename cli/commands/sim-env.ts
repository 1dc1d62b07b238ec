/**
 * The environment variables of `digitalpost sim start`, one per flag: in a container or a CI service
 * setting a variable is the usual way to configure, not changing the command. A flag given on the
 * command line wins over its variable, and a variable over the flag's default. Booleans take `true`,
 * `false`, `1`, `0`, `yes`, `no`, `on` or `off`; an empty variable counts as not set.
 *
 * One table, keyed by the flag's option name: the CLI reads the variables through it, the
 * testcontainers module sets them through it, and docs/simulator.md lists it (a test checks).
 */
export const SIM_START_ENV = {
  host: 'DIGITALPOST_SIM_HOST',
  port: 'DIGITALPOST_SIM_PORT',
  sftpPort: 'DIGITALPOST_SIM_SFTP_PORT',
  sftp: 'DIGITALPOST_SIM_SFTP',
  dataDir: 'DIGITALPOST_SIM_DATA_DIR',
  clock: 'DIGITALPOST_SIM_CLOCK',
  clockStart: 'DIGITALPOST_SIM_CLOCK_START',
  seed: 'DIGITALPOST_SIM_SEED',
  chaos: 'DIGITALPOST_SIM_CHAOS',
  loose: 'DIGITALPOST_SIM_LOOSE',
  controlToken: 'DIGITALPOST_SIM_CONTROL_TOKEN',
  allowedHosts: 'DIGITALPOST_SIM_ALLOWED_HOSTS',
  memoryBudget: 'DIGITALPOST_SIM_MEMORY_BUDGET',
  pushTimeout: 'DIGITALPOST_SIM_PUSH_TIMEOUT',
  retrySchedule: 'DIGITALPOST_SIM_RETRY_SCHEDULE',
  valueDateReceipt: 'DIGITALPOST_SIM_VALUE_DATE_RECEIPT',
  acceptChunked: 'DIGITALPOST_SIM_ACCEPT_CHUNKED',
  undeclaredParameters: 'DIGITALPOST_SIM_UNDECLARED_PARAMETERS',
  json: 'DIGITALPOST_SIM_JSON',
} as const;

export type SimStartSetting = keyof typeof SIM_START_ENV;

const TRUE = new Set(['true', '1', 'yes', 'on']);
const FALSE = new Set(['false', '0', 'no', 'off']);

/** A boolean variable's value, or undefined when it is none of the accepted spellings. */
export function envBoolean(value: string): boolean | undefined {
  const normalized = value.trim().toLowerCase();
  if (TRUE.has(normalized)) return true;
  if (FALSE.has(normalized)) return false;
  return undefined;
}
