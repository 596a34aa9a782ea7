import { Worker } from 'node:worker_threads';

/*
 * SM3 on a helper thread, for large streams: OpenSSL's SM3 runs at about a quarter of SHA-256's speed,
 * so a large file's SM3 would otherwise set the pace of everything else its thread does with the bytes
 * (receive, SHA-256, upload). One helper thread per process, shared by the streams that use it,
 * started when first needed and never keeping the process alive. Bytes travel through a few slots of
 * memory shared with the thread and reused: nothing is allocated per chunk, so a large file causes no
 * garbage collection here, and the memory it takes is fixed (SLOTS × SLOT_BYTES per stream).
 */

const SLOT_BYTES = 1024 * 1024;
const SLOTS = 4;

const SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const streams = new Map();
parentPort.on('message', (m) => {
  if (m.type === 'open') {
    streams.set(m.id, { hash: createHash('sm3'), memory: new Uint8Array(m.memory) });
  } else if (m.type === 'update') {
    const stream = streams.get(m.id);
    stream.hash.update(stream.memory.subarray(m.slot * ${SLOT_BYTES}, m.slot * ${SLOT_BYTES} + m.length));
    parentPort.postMessage({ type: 'free', id: m.id, slot: m.slot });
  } else if (m.type === 'digest') {
    const stream = streams.get(m.id);
    streams.delete(m.id);
    parentPort.postMessage({ type: 'digest', id: m.id, digest: stream.hash.digest('hex') });
  } else if (m.type === 'forget') {
    streams.delete(m.id);
  }
});
`;

type Reply = { type: 'free'; id: number; slot: number } | { type: 'digest'; id: number; digest: string };

interface Listener {
  free(slot: number): void;
  digest(digest: string): void;
  fail(error: Error): void;
}

class Sm3Thread {
  readonly #worker: Worker;
  readonly #listeners = new Map<number, Listener>();

  constructor(onGone: () => void) {
    this.#worker = new Worker(SOURCE, { eval: true });
    this.#worker.unref();
    this.#worker.on('message', (reply: Reply) => {
      const listener = this.#listeners.get(reply.id);
      if (reply.type === 'free') listener?.free(reply.slot);
      else listener?.digest(reply.digest);
    });
    const failAll = (error: Error) => {
      onGone();
      for (const listener of this.#listeners.values()) listener.fail(error);
      this.#listeners.clear();
    };
    this.#worker.on('error', failAll);
    this.#worker.on('exit', (code) => failAll(new Error(`the SM3 helper thread exited (code ${code})`)));
  }

  open(id: number, memory: SharedArrayBuffer, listener: Listener): void {
    this.#listeners.set(id, listener);
    this.#worker.postMessage({ type: 'open', id, memory });
  }

  update(id: number, slot: number, length: number): void {
    this.#worker.postMessage({ type: 'update', id, slot, length });
  }

  askDigest(id: number): void {
    this.#worker.postMessage({ type: 'digest', id });
  }

  forget(id: number): void {
    this.#listeners.delete(id);
    this.#worker.postMessage({ type: 'forget', id });
  }
}

let thread: Sm3Thread | undefined;
let nextId = 0;

/** One stream's SM3, computed on the helper thread. */
export class OffloadedSm3 {
  readonly #thread: Sm3Thread;
  readonly #id = ++nextId;
  readonly #memory = new Uint8Array(new SharedArrayBuffer(SLOTS * SLOT_BYTES));
  /** Slots the thread is not reading; the first is being filled. */
  readonly #free: number[] = Array.from({ length: SLOTS }, (_, i) => i);
  #filled = 0;
  #error: Error | undefined;
  /** Waits for a slot to come free: the rest of a chunk, and what to call once it is in. */
  #waiting: { chunk: Uint8Array; ready: (error?: Error) => void } | undefined;
  #digest: { resolve(digest: string): void; reject(error: Error): void } | undefined;

  constructor() {
    thread ??= new Sm3Thread(() => (thread = undefined));
    this.#thread = thread;
    this.#thread.open(this.#id, this.#memory.buffer as SharedArrayBuffer, {
      free: (slot) => {
        this.#free.push(slot);
        const waiting = this.#waiting;
        this.#waiting = undefined;
        if (waiting) this.update(waiting.chunk, waiting.ready);
      },
      digest: (digest) => this.#digest?.resolve(digest),
      fail: (error) => {
        this.#error = error;
        const waiting = this.#waiting;
        this.#waiting = undefined;
        waiting?.ready(error);
        this.#digest?.reject(error);
      },
    });
  }

  /** Copies a chunk into the shared slots, sending each full one; `ready` is called once all of it is in (or with the thread's error). */
  update(chunk: Uint8Array, ready: (error?: Error) => void): void {
    let rest = chunk;
    while (rest.length > 0) {
      if (this.#error) return ready(this.#error);
      const slot = this.#free[0];
      if (slot === undefined) {
        this.#waiting = { chunk: rest, ready };
        return;
      }
      const take = Math.min(rest.length, SLOT_BYTES - this.#filled);
      this.#memory.set(rest.subarray(0, take), slot * SLOT_BYTES + this.#filled);
      this.#filled += take;
      rest = rest.subarray(take);
      if (this.#filled === SLOT_BYTES) this.#send();
    }
    ready();
  }

  #send(): void {
    const slot = this.#free.shift()!;
    this.#thread.update(this.#id, slot, this.#filled);
    this.#filled = 0;
  }

  /** After the last update: the digest, once the thread has hashed every byte. */
  digest(): Promise<string> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#filled > 0) this.#send();
    return new Promise((resolve, reject) => {
      this.#digest = {
        resolve: (digest) => {
          this.#thread.forget(this.#id);
          resolve(digest);
        },
        reject,
      };
      this.#thread.askDigest(this.#id);
    });
  }

  /** The stream failed: the thread drops its state. */
  forget(): void {
    this.#thread.forget(this.#id);
  }
}
