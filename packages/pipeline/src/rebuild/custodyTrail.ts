import { parseClassSelector, type ChainedAuditEvent, type HoldSelector } from '@oa-archive/catalog';

/**
 * Holds and disposition decisions as the audit trail recorded them: what a rebuilt catalog restores
 * so that a hold placed for a lawsuit still stops disposition, and an item already appraised is not
 * appraised again as if new. Pure: the caller replays the trail and writes the rows.
 */

export interface TrailHold {
  id: number;
  name: string;
  reason: string;
  createdBy: string;
  createdAt: string;
  lifted?: { by: string; at: string; reason: string };
  selectors: HoldSelector[];
}

export interface TrailDecision {
  seq: number;
  /** The decision's id in the lost catalog; absent in events written before they carried it. */
  id?: number;
  ingestId: string;
  referenceCode: string;
  decision: string;
  reason: string;
  dueOn: string;
  reviewOn: string | null;
  decidedBy: string;
  decidedAt: string;
}

export interface TrailDestruction {
  ingestId: string;
  referenceCode: string;
  at: string;
}

/** A schedule version an admin made by accepting a learned rule: the schedule in force from then on. */
export interface TrailScheduleVersion {
  version: string;
  rootVersion: string;
  baseVersion: string;
  /** Absent in events written before they carried the version's text: such a version cannot be restored. */
  yaml?: string;
  createdBy: string;
  createdAt: string;
}

export interface CustodyTrail {
  holds: TrailHold[];
  scheduleVersions: TrailScheduleVersion[];
  decisions: TrailDecision[];
  /** Items whose objects a destruction removed: no bag is left, and that is their outcome, not a loss. */
  destroyed: Map<string, TrailDestruction>;
}

const INGEST_ID = /^ing_[0-9a-f]{32}$/;

/**
 * A held item as `hold.created` wrote it before the event carried structured selectors: a class
 * (`WS`, `WS/2015/D10`), an ingest id (`ing_` and 32 hex digits), or else a 档号.
 */
export function selectorOfText(text: string): HoldSelector {
  if (INGEST_ID.test(text)) return { kind: 'ingest', value: text };
  try {
    return parseClassSelector(text);
  } catch {
    return { kind: 'reference-code', value: text };
  }
}

const isSelector = (value: unknown): value is HoldSelector => {
  const s = value as { kind?: unknown; value?: unknown; category?: unknown };
  return ((s?.kind === 'ingest' || s?.kind === 'reference-code') && typeof s.value === 'string') || (s?.kind === 'class' && typeof s.category === 'string');
};

export function custodyOfTrail(trail: readonly ChainedAuditEvent[]): CustodyTrail {
  const holds = new Map<number, TrailHold>();
  const decisions: TrailDecision[] = [];
  const destroyed = new Map<string, TrailDestruction>();
  const scheduleVersions: TrailScheduleVersion[] = [];
  for (const e of trail) {
    const p = e.payload;
    if (e.type === 'hold.created' && typeof p.holdId === 'number') {
      const selectors = Array.isArray(p.selectors) && p.selectors.every(isSelector) ? (p.selectors as HoldSelector[]) : Array.isArray(p.items) ? p.items.map((item) => selectorOfText(String(item))) : [];
      holds.set(p.holdId, { id: p.holdId, name: String(p.name), reason: String(p.reason), createdBy: e.actor, createdAt: e.at, selectors });
    } else if (e.type === 'hold.lifted' && typeof p.holdId === 'number') {
      const hold = holds.get(p.holdId);
      if (hold) hold.lifted = { by: e.actor, at: e.at, reason: String(p.reason) };
    } else if (e.type === 'disposition.decided' && e.ingestId) {
      decisions.push({
        seq: e.seq,
        ...(typeof p.decisionId === 'number' ? { id: p.decisionId } : {}),
        ingestId: e.ingestId,
        referenceCode: String(p.referenceCode),
        decision: String(p.decision),
        reason: String(p.reason),
        dueOn: String(p.dueOn),
        reviewOn: typeof p.reviewOn === 'string' ? p.reviewOn : null,
        decidedBy: e.actor,
        decidedAt: e.at,
      });
    } else if (e.type === 'schedule.rule-accepted' && typeof p.scheduleVersion === 'string') {
      scheduleVersions.push({
        version: p.scheduleVersion,
        rootVersion: typeof p.rootVersion === 'string' ? p.rootVersion : p.scheduleVersion.replace(/\+learned\.\d+$/, ''),
        baseVersion: String(p.baseVersion),
        ...(typeof p.yaml === 'string' ? { yaml: p.yaml } : {}),
        createdBy: e.actor.replace(/^person:/, ''),
        createdAt: e.at,
      });
    } else if (e.type === 'disposition.destroyed' && e.ingestId) {
      destroyed.set(e.ingestId, { ingestId: e.ingestId, referenceCode: String(p.referenceCode), at: e.at });
    }
  }
  return { holds: [...holds.values()], scheduleVersions, decisions, destroyed };
}
