import type { Readable } from 'node:stream';
import type { Destination } from './layout.ts';

/**
 * Where an OA drops packages: an S3 prefix (s3Drop.ts) or a directory (directoryDrop.ts), each with
 * incoming/, done/ and rejected/. A package is a folder in incoming/ (metadata file and the files), or
 * a single file there (the metadata with every file embedded, as a DA/T 48 EEP carries them).
 */

export interface DropEntry {
  name: string;
  kind: 'folder' | 'file';
}

export interface DropFile {
  /** Relative to the package folder ("/"-separated); for a single-file package, its own name. */
  path: string;
  size: number;
  modifiedAt: Date;
}

export interface PackageNotes {
  marker: string;
  decision: string;
  files: Record<string, Buffer>;
}

/** Whether the bytes of a marker note were written for this decision. */
export function sameDecision(marker: Buffer | undefined, decision: string): boolean {
  if (!marker) return false;
  try {
    return (JSON.parse(marker.toString('utf8')) as { decision?: unknown }).decision === decision;
  } catch {
    return false;
  }
}

export class MetadataTooLargeError extends Error {
  override readonly name = 'MetadataTooLargeError';
}

export interface PackageDrop {
  /** For logs: where this drop is (no credentials). */
  readonly description: string;
  /** The packages in incoming/ (hidden names left out), in name order. */
  list(): Promise<DropEntry[]>;
  /** Every regular file of a package with its size; a single-file package is one file. Links and the like are left out. */
  files(entry: DropEntry): Promise<DropFile[]>;
  /** A file of the package whole, up to maxBytes (MetadataTooLargeError beyond); undefined when it is not there. */
  read(entry: DropEntry, path: string, maxBytes: number): Promise<Buffer | undefined>;
  /** A file of the package as a stream. */
  open(entry: DropEntry, path: string): Promise<Readable>;
  /**
   * Moves the package out of incoming/ into done/ or rejected/, under its name or, when that is taken by
   * another package, the next free `name~N`; writes `notes` (file name → bytes) beside its files first.
   * `marker` names one of the notes, a JSON file whose `decision` identifies this decision: a folder
   * holding it with the same `decision` is this package's, half-moved by a gateway that died, and the
   * move continues there. Returns where the package now is, for the record.
   */
  move(entry: DropEntry, to: Destination, notes: PackageNotes): Promise<string>;
  close(): Promise<void>;
}
