import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { StoredBag } from './facts.ts';

async function listKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.NextContinuationToken;
  } while (token);
  return keys;
}

/**
 * The bag a key belongs to: the prefix before its payload (`data/`), its metadata (`metadata/`) or
 * one of its tag files (bagit.txt, bag-info.txt, manifest-*.txt, tagmanifest-*.txt). Keys of no bag
 * (audit anchors, say) give undefined.
 */
export function bagPrefixOf(key: string): string | undefined {
  const inside = /^(.+?)\/(?:data|metadata)\//.exec(key);
  if (inside) return inside[1];
  const tag = /^(.+)\/(?:bagit\.txt|bag-info\.txt|(?:tag)?manifest-[a-z0-9]+\.txt)$/.exec(key);
  return tag?.[1];
}

/**
 * The bags in the archive bucket, each with the ingest that owns it: the catalog's word for the
 * prefixes it recorded, and for any other prefix the `ingest-id` its objects were written with.
 * Also the keys that belong to no bag.
 */
export async function listBags(s3: S3Client, bucket: string, catalogPrefixes: Map<string, string>): Promise<{ bags: StoredBag[]; otherKeys: number }> {
  const objects = new Map<string, string[]>();
  let otherKeys = 0;
  for (const key of await listKeys(s3, bucket)) {
    const prefix = bagPrefixOf(key);
    if (prefix === undefined) otherKeys++;
    else objects.set(prefix, [...(objects.get(prefix) ?? []), key]);
  }
  const bags: StoredBag[] = [];
  for (const [prefix, keys] of objects) {
    let ingestId = catalogPrefixes.get(prefix) ?? null;
    if (!ingestId) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: keys[0]! }));
      ingestId = head.Metadata?.['ingest-id'] ?? null;
    }
    bags.push({ prefix, objects: keys.length, ingestId });
  }
  return { bags, otherKeys };
}
