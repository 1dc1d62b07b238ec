/**
 * The local NgDP: `startSimulator(options)` runs NgDP's integration API (`/apis/v1`), the control
 * API (`/simulator/v1`) and a status page on one HTTP port, and optionally an SFTP server for mass
 * sending, in memory or on SQLite.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SimulatorConfigError } from '../sdk/errors.ts';
import { createSimulator, type SimulatorClock, type SimulatorCore } from './core.ts';
import type { Fixtures } from './domain/seed.ts';
import { hostPolicy as hostPolicyOf } from './http/cross-site.ts';
import { checkAllowedHosts, type SimulatorOptions } from './options.ts';
import { loadHostKey } from './sftp/host-key.ts';
import { type SftpServer, startSftpServer } from './sftp/server.ts';

export { SimulatorConfigError, StoreFileError } from '../sdk/errors.ts';
export type { SimulatorClock } from './core.ts';
export type { Fixtures, SeedData } from './domain/seed.ts';
export type { RandomPurpose, RandomSource } from './engine/context.ts';
export type { FaultRule } from './engine/faults.ts';
export type { ChaosSettings, EngineSettings } from './engine/settings.ts';
export type { SimulatorOptions } from './options.ts';
/** An entry of `GET /simulator/v1/transcript` (docs/simulator.md, "The transcript"). */
export type { TranscriptEntryJson as TranscriptEntry } from './wire/transcript.ts';

/** Where the SFTP server listens, and its host key's fingerprint for clients to pin. */
export interface SftpAddress {
  host: string;
  port: number;
  /** `SHA256:<base64>`, as OpenSSH shows it on first connection and `ssh-keygen -l` prints it. */
  hostKeyFingerprint: string;
  /**
   * The host key as a line for an OpenSSH known_hosts file (`[127.0.0.1]:4522 ssh-ed25519 AAAA…`):
   * what `SftpSender`'s `knownHosts`, the CLI's `--known-hosts` and OpenSSH's `sftp` check against.
   */
  knownHostsLine: string;
}

export interface RunningSimulator {
  /** `http://host:port/apis/v1` */
  apiUrl: string;
  /** `http://host:port/simulator/v1` */
  controlUrl: string;
  uiUrl: string;
  /** The control API token when one is required. */
  controlToken: string | undefined;
  /** The SFTP server, when `sftpPort` was given. */
  sftp: SftpAddress | null;
  fixtures: Fixtures;
  clock: SimulatorClock;
  /** Waits until no job is running and none is due (handy in tests). */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Starts the simulator. Resolves once it listens; `stop()` closes it (and its store) cleanly.
 *
 * @throws SimulatorConfigError for invalid options or an unreadable seed file.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 4500;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new SimulatorConfigError(`port must be 0–65535, got ${port}`);
  const { sftpPort } = options;
  if (sftpPort !== undefined && (!Number.isInteger(sftpPort) || sftpPort < 0 || sftpPort > 65535))
    throw new SimulatorConfigError(`sftpPort must be 0–65535, got ${sftpPort}`);
  const controlToken =
    options.controlToken ?? (LOOPBACK.has(host) ? undefined : randomBytes(16).toString('hex'));
  const hostPolicy = hostPolicyOf(host, checkAllowedHosts(options.allowedHosts));
  const core = await createSimulator(
    { ...options, ...(controlToken === undefined ? {} : { controlToken }) },
    hostPolicy,
  );
  const server: Server = await new Promise((resolve, reject) => {
    const listening = core.app.listen(port, host);
    listening.once('listening', () => resolve(listening));
    listening.once('error', (error: NodeJS.ErrnoException) => {
      core
        .close()
        .finally(() =>
          reject(
            error.code === 'EADDRINUSE'
              ? new SimulatorConfigError(
                  `port ${port} on ${host} is in use; choose another with --port (0 = any free port)`,
                )
              : error,
          ),
        );
    });
  });
  server.keepAliveTimeout = 5_000;
  const closeHttp = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  let sftp: SftpServer | undefined;
  if (sftpPort !== undefined) {
    try {
      sftp = await startSftp(core, options, host, sftpPort);
    } catch (error) {
      await closeHttp();
      await core.close();
      throw error;
    }
  }
  const address = server.address() as AddressInfo;
  const origin = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  core.setApiUrl(`${origin}/apis/v1`);
  let stopped: Promise<void> | undefined;
  return {
    apiUrl: `${origin}/apis/v1`,
    controlUrl: `${origin}/simulator/v1`,
    uiUrl: `${origin}/`,
    controlToken,
    sftp:
      sftp === undefined
        ? null
        : {
            host: sftp.host,
            port: sftp.port,
            hostKeyFingerprint: sftp.hostKeyFingerprint,
            knownHostsLine: sftp.knownHostsLine,
          },
    fixtures: core.fixtures,
    clock: core.clock,
    settle: () => core.settle(),
    stop() {
      stopped ??= Promise.all([closeHttp(), sftp?.close()]).then(() => core.close());
      return stopped;
    },
  };
}

/** Starts the SFTP server of a simulator; its failures as SimulatorConfigError. */
async function startSftp(
  core: SimulatorCore,
  options: SimulatorOptions,
  host: string,
  port: number,
): Promise<SftpServer> {
  let hostKey: ReturnType<typeof loadHostKey>;
  try {
    hostKey = loadHostKey(options.dataDir);
  } catch (error) {
    throw new SimulatorConfigError((error as Error).message);
  }
  try {
    return await startSftpServer({
      engine: core.engine,
      host,
      port,
      hostKey,
      log: options.log ?? (() => {}),
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new SimulatorConfigError(
        `SFTP port ${port} on ${host} is in use; choose another with --sftp-port (0 = any free port)`,
      );
    }
    throw error;
  }
}
