/**
 * The SFTP server for mass sending (docs/simulator.md, "SFTP mass sending"), on ssh2: a sender system's
 * SFTP user logs in with a public key registered for the system, and gets the chrooted home of
 * `layout.ts`. Only public-key logins and the `sftp` subsystem are served; shells, commands and
 * forwarding are refused. Who may log in is the engine's decision, as for REST calls.
 */
import { createServer, type Socket } from 'node:net';
import ssh2, { type AuthContext, type ClientInfo, type Connection } from 'ssh2';
import { normalizeAddress } from '../domain/auth.ts';
import type { SystemRecord } from '../domain/model.ts';
import type { Engine } from '../engine/engine.ts';
import { Rejection } from '../engine/rejections.ts';
import type { HostKey } from './host-key.ts';
import { type SessionContext, serveSftp } from './session.ts';
import { UploadFolders } from './uploads.ts';

export interface SftpServerOptions {
  engine: Engine;
  /** Bind address. */
  host: string;
  /** 0 = any free port. */
  port: number;
  hostKey: HostKey;
  log: (line: string) => void;
  /** A connection that has not logged in after this long is closed (default 30 000 ms). */
  loginTimeoutMs?: number;
}

/** A listening SFTP server. */
export interface SftpServer {
  host: string;
  port: number;
  /** The host key's fingerprint, `SHA256:…`. */
  hostKeyFingerprint: string;
  /** The host key as a known_hosts line for this server (`[host]:port ssh-ed25519 AAAA…`). */
  knownHostsLine: string;
  /** Stops listening, ends every session and waits for uploads being taken. */
  close(): Promise<void>;
}

/** Who logged in on a connection. */
interface Login {
  username: string;
  /** The key the user proved to hold (SSH wire format). */
  publicKey: Buffer;
  system: SystemRecord;
}

/** An OpenSSH known_hosts line: the host as `[host]:port` unless the port is 22, then the key. */
export function knownHostsLine(host: string, port: number, publicKeyLine: string): string {
  return `${port === 22 ? host : `[${host}]:${port}`} ${publicKeyLine}`;
}

/**
 * Starts the SFTP server; resolves once it listens.
 *
 * @throws the listen error (e.g. `EADDRINUSE`) when the port cannot be bound.
 */
export async function startSftpServer(options: SftpServerOptions): Promise<SftpServer> {
  const { engine, log } = options;
  const loginTimeoutMs = options.loginTimeoutMs ?? 30_000;
  const folders = new UploadFolders();
  const sockets = new Set<Socket>();
  const pending = new Set<Promise<void>>();

  const track = (work: Promise<void>): void => {
    pending.add(work);
    const done = (): void => {
      pending.delete(work);
    };
    work.then(done, done);
  };

  /**
   * Decides a login attempt: a refusal with its reason (undefined for the client's `none` probe),
   * a key that would do (the client asks before it signs), or a login.
   */
  function decide(
    context: AuthContext,
    address: string,
  ): { refused: string | undefined } | { wouldDo: true } | { login: Login } {
    if (context.method !== 'publickey')
      return {
        refused:
          context.method === 'none' ? undefined : `${context.method} logins are not accepted, only publickey`,
      };
    let found: { system: SystemRecord; key: string };
    try {
      found = engine.access.authenticateSsh(context.username, context.key.data, address);
    } catch (error) {
      if (error instanceof Rejection) return { refused: error.message };
      throw error;
    }
    if (context.signature === undefined || context.blob === undefined) return { wouldDo: true };
    const key = ssh2.utils.parseKey(found.key);
    if (key instanceof Error || !key.verify(context.blob, context.signature, context.hashAlgo))
      return { refused: 'the signature does not verify with the registered key' };
    return {
      login: { username: context.username, publicKey: Buffer.from(context.key.data), system: found.system },
    };
  }

  function contextOf(login: Login, address: string, connection: Connection): SessionContext {
    return {
      engine,
      username: login.username,
      login: login.system,
      admit: () => engine.access.authenticateSsh(login.username, login.publicKey, address).system,
      uploads: folders.of(login.system.id),
      log,
      track,
      disconnect: () => connection.end(),
    };
  }

  function serve(connection: Connection, info: ClientInfo): void {
    const address = normalizeAddress(info.ip);
    let login: Login | undefined;
    let refusal: string | undefined;
    const timer = setTimeout(() => connection.end(), loginTimeoutMs);
    connection.on('error', (error: Error) => log(`sftp: connection from ${address}: ${error.message}`));
    connection.on('authentication', (context) => {
      let decision: ReturnType<typeof decide>;
      try {
        decision = decide(context, address);
      } catch (error) {
        log(`sftp: login from ${address} failed: ${error instanceof Error ? error.message : String(error)}`);
        decision = { refused: 'the simulator failed to decide' };
      }
      if ('refused' in decision) {
        if (decision.refused !== undefined) {
          refusal = `${JSON.stringify(context.username)}: ${decision.refused}`;
          engine.transcript.sftpLogin({
            systemId: engine.access.sshUserSystemId(context.username),
            method: context.method,
            accepted: false,
          });
        }
        context.reject(['publickey']);
        return;
      }
      // Accepting a signed login emits 'ready' at once: the login must be known before.
      if ('login' in decision) {
        login = decision.login;
        engine.transcript.sftpLogin({ systemId: login.system.id, method: 'publickey', accepted: true });
      }
      context.accept();
    });
    connection.on('ready', () => {
      clearTimeout(timer);
      const user = login;
      if (user === undefined) {
        connection.end();
        return;
      }
      log(`sftp: ${user.username} (system ${user.system.id}) logged in from ${address}`);
      connection.on('session', (acceptSession) => {
        acceptSession().on('sftp', (acceptSftp) =>
          serveSftp(acceptSftp(), contextOf(user, address, connection)),
        );
      });
    });
    connection.on('close', () => {
      clearTimeout(timer);
      if (login === undefined && refusal !== undefined)
        log(`sftp: login from ${address} refused: ${refusal}`);
    });
  }

  const ssh = new ssh2.Server({ hostKeys: [options.hostKey.privateKey] }, serve);
  // Our own listener, so that stopping can end every connection at once.
  const listener = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // SFTP is request–answer in small packets: Nagle's algorithm would hold each answer back.
    socket.setNoDelay(true);
    ssh.injectSocket(socket);
  });
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(options.port, options.host, () => {
      listener.off('error', reject);
      resolve();
    });
  });
  listener.on('error', (error) => log(`sftp: ${error.message}`));
  const address = listener.address();
  if (address === null || typeof address === 'string') throw new Error('the SFTP server has no TCP address');
  // A reset of the simulator empties /in too, as it empties everything else.
  const stopClearing = engine.listen((event) => {
    if (event.type === 'reset') folders.clear();
  });
  let closed: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    hostKeyFingerprint: options.hostKey.fingerprint,
    knownHostsLine: knownHostsLine(address.address, address.port, options.hostKey.publicKeyLine),
    close() {
      closed ??= (async () => {
        stopClearing();
        const stopped = new Promise<void>((resolve) => listener.close(() => resolve()));
        for (const socket of sockets) socket.destroy();
        await Promise.allSettled([...pending]);
        await stopped;
      })();
      return closed;
    },
  };
}
