import { createReadStream } from 'node:fs';
import { connect, type NetConnectOpts, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A client for ClamAV's clamd over its socket (unix or TCP): VERSION, and INSTREAM, which sends the
 * bytes in chunks so clamd needs no access to our files. Production points it at the agency's own
 * clamd with an updated database; locally infra/local/clamav.sh starts one on the project's
 * signature database. An unreachable clamd is an error to retry, never a clean result.
 */

/** clamd did not answer (not running, wrong socket, timed out): another attempt may succeed. */
export class ClamdUnavailableError extends Error {
  override readonly name = 'ClamdUnavailableError';
  readonly retryable = true;
  constructor(address: string, reason: string, options?: { cause?: unknown }) {
    super(`clamd at ${address} did not answer (${reason}); start it (infra/local/clamav.sh) or set CLAMAV_SOCKET, the document is not scanned until it answers`, options);
  }
}

/** clamd answered with an error about this file (e.g. over StreamMaxLength): retrying the same bytes will not help. */
export class ClamdScanError extends Error {
  override readonly name = 'ClamdScanError';
  readonly retryable = false;
  constructor(address: string, reply: string) {
    super(`clamd at ${address} could not scan the file: ${reply}${/size limit/i.test(reply) ? ' (raise StreamMaxLength, MaxFileSize and MaxScanSize in clamd.conf)' : ''}`);
  }
}

export interface ClamdVersion {
  /** e.g. "ClamAV 1.4.6" */
  engine: string;
  /** The official database's version (daily.cvd), null when clamd runs on local signatures only. */
  databaseVersion: string | null;
  databaseDate: string | null;
}

export type ScanVerdict = { clean: true } | { clean: false; signature: string };

/** What the pipeline needs from a virus scanner; ClamdScanner is the one there is. */
export interface VirusScanner {
  readonly address: string;
  version(): Promise<ClamdVersion>;
  scanFile(filePath: string): Promise<ScanVerdict>;
}

/** "ClamAV 1.4.6/27500/Tue Dec  1 08:00:00 2026" or, on local signatures only, "ClamAV 1.4.6". */
export function parseClamdVersion(reply: string): ClamdVersion {
  const [engine = '', databaseVersion, ...date] = reply.replace(/\0/g, '').trim().split('/');
  if (!engine.startsWith('ClamAV')) throw new Error(`not a clamd VERSION reply: "${reply.slice(0, 80)}"`);
  return { engine: engine.trim(), databaseVersion: databaseVersion?.trim() || null, databaseDate: date.join('/').trim() || null };
}

/** "stream: OK", "stream: <signature> FOUND", or "<message> ERROR". */
export function parseScanReply(reply: string, address = 'clamd'): ScanVerdict {
  const text = reply.replace(/\0/g, '').trim();
  const body = text.replace(/^stream:\s*/, '');
  if (body === 'OK') return { clean: true };
  const found = /^(.+) FOUND$/.exec(body);
  if (found) return { clean: false, signature: found[1]!.trim() };
  throw new ClamdScanError(address, text || '(empty reply)');
}

/** A unix socket path (`/run/clamd.sock`, `unix:///run/clamd.sock`) or `tcp://host:port`. */
export function clamdAddressOf(address: string): NetConnectOpts {
  if (address.startsWith('tcp://')) {
    const url = new URL(address);
    if (!url.port) throw new Error(`CLAMAV_SOCKET ${address} names no port`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port) };
  }
  return { path: address.replace(/^unix:\/\//, '') };
}

const CHUNK = 64 * 1024;

export class ClamdScanner implements VirusScanner {
  readonly address: string;
  private readonly timeoutMs: number;
  constructor(options: { address: string; timeoutMs?: number }) {
    clamdAddressOf(options.address);
    this.address = options.address;
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  async version(): Promise<ClamdVersion> {
    return parseClamdVersion(await this.exchange('zVERSION\0'));
  }

  /** Streams the file to clamd (memory stays flat whatever its size). */
  async scanFile(filePath: string): Promise<ScanVerdict> {
    return parseScanReply(await this.exchange('zINSTREAM\0', createReadStream(filePath, { highWaterMark: CHUNK })), this.address);
  }

  private async exchange(command: string, body?: AsyncIterable<Buffer>): Promise<string> {
    const socket: Socket = connect(clamdAddressOf(this.address));
    socket.setTimeout(this.timeoutMs);
    const chunks: Buffer[] = [];
    let answered = false;
    let socketFailed = false;
    let destroyedByUs = false;
    const reply = new Promise<string>((resolve, reject) => {
      const finish = () => {
        answered = true;
        resolve(Buffer.concat(chunks).toString('utf8'));
      };
      socket.on('data', (data: Buffer) => {
        chunks.push(data);
        // Replies to z-commands end with a NUL; clamd may answer early (a size limit) and close.
        if (data.includes(0)) {
          finish();
          socket.end();
        }
      });
      socket.on('end', () => (chunks.length > 0 ? finish() : reject(new ClamdUnavailableError(this.address, 'it closed the connection without a reply'))));
      socket.on('timeout', () => socket.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      socket.on('error', (error) => {
        socketFailed = true;
        if (!answered) reject(new ClamdUnavailableError(this.address, error.message, { cause: error }));
      });
      socket.on('close', () => {
        socketFailed ||= !answered && !destroyedByUs;
        if (!answered) reject(new ClamdUnavailableError(this.address, 'connection closed without a reply'));
      });
    });
    // Whatever the writing below does, the reply (or the reason there is none) is what counts.
    reply.catch(() => undefined);
    try {
      await Promise.race([once(socket, 'connect'), reply]);
      await this.send(socket, Buffer.from(command), reply);
      if (body) {
        for await (const chunk of body) {
          if (answered) break;
          const header = Buffer.alloc(4);
          header.writeUInt32BE(chunk.length);
          await this.send(socket, Buffer.concat([header, chunk]), reply);
        }
        if (!answered) await this.send(socket, Buffer.alloc(4), reply);
      }
    } catch (error) {
      destroyedByUs = true;
      socket.destroy();
      // clamd's reply (or why there is none) decides, unless the failure was reading our own file.
      const settled = await reply.then(
        (text) => ({ text }),
        (failure: unknown) => ({ failure }),
      );
      if ('text' in settled) return settled.text;
      throw socketFailed ? settled.failure : error;
    }
    return reply;
  }

  private async send(socket: Socket, data: Buffer, reply: Promise<string>): Promise<void> {
    if (socket.write(data)) return;
    await Promise.race([once(socket, 'drain'), reply]);
  }
}
