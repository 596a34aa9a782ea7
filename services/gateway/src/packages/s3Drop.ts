import type { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { isNotFound } from '@oa-archive/storage';
import { MetadataTooLargeError, sameDecision, type DropEntry, type DropFile, type PackageDrop, type PackageNotes } from './drop.ts';
import { destinationNames, DROP_AREAS, isPackageName, stemOf, type Destination } from './layout.ts';

/**
 * A drop in an S3 bucket: <prefix>incoming/<package>/… A folder is a key prefix; moving a package is
 * copying each object and deleting it, the metadata file last, so that a package half-moved by a
 * gateway that died still shows in incoming/ and its move is finished by the next claim.
 */
export class S3PackageDrop implements PackageDrop {
  readonly description: string;
  readonly #s3: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #metadataFile: string;

  constructor(s3: S3Client, location: { bucket: string; prefix: string }, metadataFile: string) {
    this.#s3 = s3;
    this.#bucket = location.bucket;
    this.#prefix = location.prefix;
    this.#metadataFile = metadataFile;
    this.description = `s3://${location.bucket}/${location.prefix}`;
  }

  #incoming(entry: DropEntry): string {
    return `${this.#prefix}${DROP_AREAS.incoming}${entry.name}${entry.kind === 'folder' ? '/' : ''}`;
  }

  #keyOf(entry: DropEntry, path: string): string {
    return entry.kind === 'folder' ? `${this.#incoming(entry)}${path}` : this.#incoming(entry);
  }

  async *#objects(prefix: string, delimiter?: string): AsyncGenerator<{ key?: string; folder?: string; size: number; modifiedAt: Date }> {
    let token: string | undefined;
    do {
      const page = await this.#s3.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: prefix, ...(delimiter ? { Delimiter: delimiter } : {}), ...(token ? { ContinuationToken: token } : {}) }));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix) yield { folder: p.Prefix, size: 0, modifiedAt: new Date(0) };
      for (const o of page.Contents ?? []) if (o.Key) yield { key: o.Key, size: o.Size ?? 0, modifiedAt: o.LastModified ?? new Date(0) };
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async list(): Promise<DropEntry[]> {
    const incoming = `${this.#prefix}${DROP_AREAS.incoming}`;
    const entries: DropEntry[] = [];
    for await (const o of this.#objects(incoming, '/')) {
      const name = (o.folder ?? o.key ?? '').slice(incoming.length).replace(/\/$/, '');
      if (isPackageName(name)) entries.push({ name, kind: o.folder ? 'folder' : 'file' });
    }
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async files(entry: DropEntry): Promise<DropFile[]> {
    const base = this.#incoming(entry);
    const files: DropFile[] = [];
    for await (const o of this.#objects(base)) {
      if (!o.key) continue;
      if (entry.kind === 'file') {
        if (o.key === base) files.push({ path: entry.name, size: o.size, modifiedAt: o.modifiedAt });
        continue;
      }
      // A "folder" object some tools create (key ending in /) is not a file.
      if (o.key.endsWith('/')) continue;
      files.push({ path: o.key.slice(base.length), size: o.size, modifiedAt: o.modifiedAt });
    }
    return files;
  }

  async read(entry: DropEntry, path: string, maxBytes: number): Promise<Buffer | undefined> {
    const key = this.#keyOf(entry, path);
    try {
      const head = await this.#s3.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
      if ((head.ContentLength ?? 0) > maxBytes) throw new MetadataTooLargeError(`${path} is ${head.ContentLength} bytes, over the ${maxBytes} a package's metadata may have (maxMetadataBytes)`);
      const response = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return await buffer(response.Body as Readable);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async open(entry: DropEntry, path: string): Promise<Readable> {
    const response = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#keyOf(entry, path) }));
    return response.Body as Readable;
  }

  /** The folder for this package in done/ or rejected/: free, or already holding this decision's marker. */
  async #destination(entry: DropEntry, to: Destination, notes: PackageNotes): Promise<string> {
    const area = `${this.#prefix}${DROP_AREAS[to]}`;
    const name = entry.kind === 'folder' ? entry.name : stemOf(entry.name);
    for (const candidate of destinationNames(name)) {
      const folder = `${area}${candidate}/`;
      const page = await this.#s3.send(new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: folder, MaxKeys: 1 }));
      if ((page.KeyCount ?? 0) === 0) return folder;
      const existing = await this.#s3.send(new GetObjectCommand({ Bucket: this.#bucket, Key: `${folder}${notes.marker}` })).then(
        (r) => buffer(r.Body as Readable),
        (error: unknown) => {
          if (isNotFound(error)) return undefined;
          throw error;
        },
      );
      if (sameDecision(existing, notes.decision)) return folder;
    }
    throw new Error('unreachable');
  }

  async move(entry: DropEntry, to: Destination, notes: PackageNotes): Promise<string> {
    const folder = await this.#destination(entry, to, notes);
    for (const [name, bytes] of Object.entries(notes.files)) {
      await this.#s3.send(new PutObjectCommand({ Bucket: this.#bucket, Key: `${folder}${name}`, Body: bytes, ContentType: name.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8' }));
    }
    const base = this.#incoming(entry);
    const keys: string[] = [];
    for await (const o of this.#objects(base)) if (o.key && (entry.kind === 'folder' || o.key === base)) keys.push(o.key);
    // The metadata last: while it is in incoming/, the package is still seen there, and a new claim finishes the move.
    const metadataKey = entry.kind === 'folder' ? `${base}${this.#metadataFile}` : base;
    keys.sort((a, b) => Number(a === metadataKey) - Number(b === metadataKey));
    for (const key of keys) {
      const target = `${folder}${entry.kind === 'folder' ? key.slice(base.length) : entry.name}`;
      await this.#s3.send(new CopyObjectCommand({ Bucket: this.#bucket, Key: target, CopySource: `${this.#bucket}/${encodeURIComponent(key).replaceAll('%2F', '/')}` }));
      await this.#s3.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: key }));
    }
    return `s3://${this.#bucket}/${folder}`;
  }

  async close(): Promise<void> {
    // The S3 client is the gateway's, shared by every drop and the staging: closed there.
  }
}
