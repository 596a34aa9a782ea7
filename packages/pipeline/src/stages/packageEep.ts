import { Readable } from 'node:stream';
import { eepInputOf, writeEep, type Da46Extra, type EepDocument, type EepEncoding, type StagedTagFile } from '@oa-archive/aip';
import { agencyDateTime } from '@oa-archive/contracts';
import type { AipFile, IngestRecord } from '@oa-archive/catalog';
import type { PipelineDeps } from '../context.ts';
import { StageError } from '../errors.ts';

/** Where the EEP lies in the bag: a tag file beside the DA/T 46 record. */
export const EEP_PATH = 'metadata/eep.xml';

/**
 * Writes the DA/T 48 EEP for a bag whose schedule asks for one (`output: { eep: true }`): streamed
 * from the staged originals and preservation copies into staging, never held whole in memory, and
 * handed to the bag as a staged tag file with the digests the upload computed.
 */
export async function stageEep(args: {
  deps: PipelineDeps;
  ingest: IngestRecord;
  /** The bag's payload files (originals and preservation copies), in bag order. */
  payload: readonly AipFile[];
  /** A payload file's 格式信息 and its component's role. */
  describe: (file: AipFile) => { formatInfo: string; role: string };
  record: object;
  extra: Da46Extra;
}): Promise<{ file: AipFile; staged: StagedTagFile; signed: boolean }> {
  const { deps, ingest } = args;
  const { store, settings, schedule } = deps;
  const encodingOf = (file: AipFile): EepEncoding => ({
    fileName: file.path.slice(file.path.lastIndexOf('/') + 1),
    size: file.size,
    formatInfo: args.describe(file).formatInfo,
    sha256: file.sha256,
    sm3: file.sm3,
    ...(file.role === 'preservation' ? { description: '保存版本，由编码1转换' } : {}),
    open: async function* () {
      yield* await store.getStream(settings.stagingBucket, file.stagingKey!);
    },
  });
  // One 文档 per component, in bag order: its original as 编码 1, its preservation copy (if any) as 编码 2.
  const ordinals = [...new Set(args.payload.map((file) => file.ordinal))];
  const documents: EepDocument[] = ordinals.map((ordinal) => {
    const parts = args.payload.filter((file) => file.ordinal === ordinal).sort((a, b) => Number(a.role === 'preservation') - Number(b.role === 'preservation'));
    return { role: args.describe(parts[0]!).role, encodings: parts.map(encodingOf) };
  });
  const data = ingest.event.data;
  const eep = writeEep(
    eepInputOf({
      data,
      record: args.record,
      extra: args.extra,
      // When it was received, as bag-info's Bagging-Date, in the agency's local time with its offset:
      // the package does not depend on when it is built.
      createdAt: agencyDateTime(ingest.receivedAt, settings.agencyTimeZone),
      creator: schedule.agency.name,
      ...(schedule.agency.departmentNames?.[data.departmentCode] ? { departmentName: schedule.agency.departmentNames[data.departmentCode] } : {}),
      documents,
      ...(settings.eepSigner ? { signer: settings.eepSigner } : {}),
    }),
  );
  const stagingKey = `ingests/${ingest.ingestId}/aip/${EEP_PATH}`;
  const stored = await store.putStream({ bucket: settings.stagingBucket, key: stagingKey, body: Readable.from(eep.chunks), contentType: 'application/xml' });
  const { signed } = await eep.result;
  if (!stored.sm3) throw new StageError(`staging did not digest ${EEP_PATH} with SM3; the bag's SM3 tag manifest needs it`, { retryable: false });
  const staged = { path: EEP_PATH, size: stored.size, sha256: stored.sha256, sm3: stored.sm3 };
  return { file: { ...staged, kind: 'tag', stagingKey }, staged, signed };
}
