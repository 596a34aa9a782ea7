import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Bounded reads of a component's bytes: ranges by position, or a stream of chunks. Never the whole file at once. */

export const CHUNK_SIZE = 64 * 1024;

/** Opens the file for random access and always closes it. */
export async function withFile<T>(filePath: string, use: (handle: FileHandle, size: number) => Promise<T>): Promise<T> {
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    return await use(handle, size);
  } finally {
    await handle.close();
  }
}

/** Up to `length` bytes from `position`; shorter when the file ends first. */
export async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(Math.max(0, length));
  let filled = 0;
  while (filled < buffer.length) {
    const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export async function readHead(filePath: string, length: number): Promise<Buffer> {
  return withFile(filePath, (handle) => readAt(handle, 0, length));
}

/**
 * Streams the file from `start` in chunks; `visit` returns false to stop early.
 * `offset` is the absolute position of the chunk's first byte.
 */
export async function forEachChunk(
  filePath: string,
  start: number,
  visit: (chunk: Buffer, offset: number) => boolean | void,
): Promise<void> {
  const stream = createReadStream(filePath, { start, highWaterMark: CHUNK_SIZE });
  let offset = start;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (visit(chunk, offset) === false) break;
      offset += chunk.length;
    }
  } finally {
    stream.destroy();
  }
}

/** Absolute position of the first `needle` at or after `start` and before `end`, or -1. */
export async function findBytes(filePath: string, needle: Buffer, start = 0, end = Number.POSITIVE_INFINITY): Promise<number> {
  let carry = Buffer.alloc(0);
  let found = -1;
  await forEachChunk(filePath, start, (chunk, offset) => {
    const window = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    const windowStart = offset - carry.length;
    const at = window.indexOf(needle);
    if (at >= 0) {
      found = windowStart + at;
      return false;
    }
    if (offset + chunk.length >= end) return false;
    // Keep enough of the tail for a needle split across chunks.
    carry = Buffer.from(window.subarray(Math.max(0, window.length - needle.length + 1)));
    return true;
  });
  return found >= 0 && found < end ? found : -1;
}
