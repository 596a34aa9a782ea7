import { toPremisXml } from '@oa-archive/aip';
import { custodyOf, preservationEventsOf, type Queryable } from '@oa-archive/catalog';

/** No AIP under custody has this ingest id. */
export class NotUnderCustodyError extends Error {
  override readonly name = 'NotUnderCustodyError';
  constructor(ingestId: string) {
    super(`no AIP under custody for ingest "${ingestId}" (is it FILED? custody enrols FILED AIPs on the next audit or replication round)`);
  }
}

/**
 * The PREMIS fixity-check events of one AIP, as XML with the AIP's files as objects. The bag is
 * write-once, so audits after deposit cannot go into its premis.xml: they live in the catalog (and the
 * audit trail) and are exported with this, on request.
 */
export async function fixityPremisXml(db: Queryable, ingestId: string): Promise<{ xml: string; events: number }> {
  const custody = await custodyOf(db, ingestId);
  if (!custody) throw new NotUnderCustodyError(ingestId);
  const events = (await preservationEventsOf(db, ingestId)).filter((e) => e.eventType === 'fixity check');
  const xml = toPremisXml(
    events.map((e) => ({
      eventIdentifier: `${ingestId}-event-${e.id}`,
      eventType: 'fixity check' as const,
      eventDateTime: e.eventAt,
      eventDetail: e.detail,
      outcome: e.outcome,
      ...(e.outcomeDetail ? { outcomeDetail: e.outcomeDetail } : {}),
      agent: { name: e.agentName, type: 'software' as const },
      objects: custody.files.map((f) => ({ identifier: f.path, role: 'source' as const })),
    })),
    custody.files.map((f) => ({ identifier: f.path, originalName: f.path.split('/').at(-1)!, size: f.size, sha256: f.sha256, sm3: f.sm3, formatName: f.kind === 'payload' ? 'payload file' : 'BagIt tag file', puid: null })),
  );
  return { xml, events: events.length };
}
