import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { SimulatedPackage } from './packages.ts';

/**
 * The OA's side of a package drop: it puts a package into <drop>/incoming/ the way the gateway expects
 * (docs/oa-integration.md): in S3 the files first and the metadata last; in a directory under a hidden
 * name (".name") that is renamed into place once complete.
 */

export type DropTarget = { kind: 's3'; s3: S3Client; bucket: string; prefix: string } | { kind: 'directory'; directory: string };

export async function dropPackage(target: DropTarget, pkg: SimulatedPackage): Promise<string> {
  if (target.kind === 's3') {
    const base = `${target.prefix}incoming/${pkg.name}`;
    for (const file of pkg.files) {
      const key = pkg.kind === 'folder' ? `${base}/${file.path}` : base;
      await target.s3.send(new PutObjectCommand({ Bucket: target.bucket, Key: key, Body: file.bytes }));
    }
    return `s3://${target.bucket}/${base}${pkg.kind === 'folder' ? '/' : ''}`;
  }
  const incoming = path.join(target.directory, 'incoming');
  await mkdir(incoming, { recursive: true });
  const hidden = path.join(incoming, `.${pkg.name}.partial`);
  const final = path.join(incoming, pkg.name);
  await rm(hidden, { recursive: true, force: true });
  if (pkg.kind === 'folder') {
    for (const file of pkg.files) {
      const at = path.join(hidden, ...file.path.split('/'));
      await mkdir(path.dirname(at), { recursive: true });
      await writeFile(at, file.bytes);
    }
  } else {
    await writeFile(hidden, pkg.files[0]!.bytes);
  }
  await rename(hidden, final);
  return final;
}
