import type { IngestStatus } from '@oa-archive/contracts';
import type { ClassificationDecision } from './engine.ts';

/**
 * The rules for a new version of a document the archive already holds (same source and document id,
 * a higher version). Pure: the classify stage gathers the facts, asks `versionStep` what to do before
 * deciding, and `applyVersionRules` to adjust the schedule's decision. docs/oa-integration.md, "New
 * versions of a document", states them for the records officer:
 *
 * - an earlier version that FAILED is passed over (the version before it counts);
 * - a later version than this one exists (and did not fail): this one is superseded, not filed;
 * - the previous version is still on its way through the stages: this one waits for its outcome;
 * - the previous version waits in REVIEW: it is settled as superseded, and this one is judged without it;
 * - the previous version was QUARANTINED for its 密级 (or by a person): this one stays quarantined
 *   unless its 密级 changed; one quarantined only for unsafe content does not hold the next back;
 * - an earlier version is FILED: this one is filed as a new version of the same item, under the same
 *   档号, when the schedule files it in the same class; otherwise (another class, excluded, review) a
 *   person decides, since an item's 档号 does not change with a new version; if it is quarantined, it
 *   is, and the explanation points at the filed version;
 * - an EXCLUDED previous version leaves this one to be classified afresh.
 */

export interface VersionFacts {
  ingestId: string;
  version: number;
  status: IngestStatus;
  securityLevel: string;
  /** Its decision, once classified. */
  classification: {
    outcome: ClassificationDecision['outcome'];
    category: string | null;
    year: number | null;
    retention: string | null;
    organisationCode: string | null;
    ruleIds: string[];
    explanation: string;
    referenceCode: string | null;
  } | null;
}

export type VersionStep =
  /** A later version exists: this one is superseded (EXCLUDED), whatever the schedule says. */
  | { step: 'superseded'; by: VersionFacts }
  /** The previous version has no outcome yet: this one is classified after it. */
  | { step: 'wait'; on: VersionFacts }
  /** The previous version waits for review: settle it as superseded, then ask again. */
  | { step: 'supersede'; waiting: VersionFacts }
  /** Decide with the schedule, then apply the rules against these earlier versions. */
  | { step: 'judge'; previous?: VersionFacts; filed?: VersionFacts };

const ON_ITS_WAY: readonly IngestStatus[] = ['RECEIVED', 'IN_PROGRESS'];

/** What to do about the document's other versions before version `version` is decided. */
export function versionStep(version: number, versions: readonly VersionFacts[]): VersionStep {
  const counted = versions.filter((v) => v.status !== 'FAILED');
  const later = counted.filter((v) => v.version > version).sort((a, b) => b.version - a.version);
  if (later[0]) return { step: 'superseded', by: later[0] };
  const earlier = counted.filter((v) => v.version < version).sort((a, b) => b.version - a.version);
  const previous = earlier[0];
  if (!previous) return { step: 'judge' };
  if (ON_ITS_WAY.includes(previous.status)) return { step: 'wait', on: previous };
  if (previous.status === 'REVIEW') return { step: 'supersede', waiting: previous };
  const filed = earlier.find((v) => v.status === 'FILED');
  return { step: 'judge', previous, ...(filed ? { filed } : {}) };
}

const statusLabel: Record<IngestStatus, string> = {
  RECEIVED: '已接收',
  IN_PROGRESS: '处理中',
  REVIEW: '待鉴定',
  FILED: '已归档',
  EXCLUDED: '不归档',
  QUARANTINED: '已隔离',
  FAILED: '处理失败',
};

/** This version is not filed: a later one (`by`) stands for the document. */
export function supersededByLater(by: VersionFacts, scheduleVersion: string): ClassificationDecision {
  return { outcome: 'EXCLUDE', ruleIds: ['builtin:version:superseded'], scheduleVersion, explanation: `不归档：已收到本文件的第${by.version}版（${statusLabel[by.status]}），本版被其取代` };
}

/** The decision that settles a version waiting for review when version `by` arrives. */
export function supersededWhileWaiting(by: number, scheduleVersion: string): ClassificationDecision {
  return { outcome: 'EXCLUDE', ruleIds: ['builtin:version:superseded'], scheduleVersion, explanation: `不归档：待鉴定期间收到本文件的第${by}版，本版被其取代` };
}

const sameClass = (d: ClassificationDecision, f: NonNullable<VersionFacts['classification']>) =>
  d.category === f.category && d.year === f.year && d.retention === f.retention && d.organisationCode === f.organisationCode;

const classOf = (c: { category?: string | null; year?: number | null; retention?: string | null; organisationCode?: string | null }) =>
  `${c.category}·${c.year}·${c.retention}·${c.organisationCode || '—'}`;

/** Quarantined only because a component was unsafe (no 密级 reason, no person's decision). */
const quarantinedForContentOnly = (c: VersionFacts['classification']) => !!c && c.ruleIds.length > 0 && c.ruleIds.every((id) => id.startsWith('builtin:unsafe:'));

/**
 * The schedule's `decision` for a version, adjusted for the earlier versions `versionStep` found
 * (`previous`: the one before it; `filed`: the latest filed one). Every adjustment names its rule
 * (`builtin:version:…`) and says why in the explanation.
 */
export function applyVersionRules(decision: ClassificationDecision, context: { securityLevel: string; previous?: VersionFacts; filed?: VersionFacts }): ClassificationDecision {
  const { previous, filed } = context;
  if (previous?.status === 'QUARANTINED' && decision.outcome !== 'QUARANTINE' && !quarantinedForContentOnly(previous.classification) && previous.securityLevel === context.securityLevel) {
    return {
      scheduleVersion: decision.scheduleVersion,
      outcome: 'QUARANTINE',
      ruleIds: ['builtin:version:quarantined-earlier'],
      explanation: `第${previous.version}版已隔离保存${previous.classification ? `（${previous.classification.explanation}）` : ''}，本版密级未变（${context.securityLevel}），仍隔离`,
    };
  }
  const item = filed?.classification;
  if (!filed || !item?.referenceCode) return decision;
  const held = `第${filed.version}版已归档（档号${item.referenceCode}）`;
  switch (decision.outcome) {
    case 'FILE':
      if (sameClass(decision, item)) {
        return { ...decision, ruleIds: [...decision.ruleIds, 'builtin:version:new-version'], explanation: `${decision.explanation}；作为${held}的新版本，沿用其档号` };
      }
      return {
        scheduleVersion: decision.scheduleVersion,
        outcome: 'REVIEW',
        ruleIds: [...decision.ruleIds, 'builtin:version:class-changed'],
        explanation: `${held}，分类${classOf(item)}；本版按${decision.ruleIds.join('、') || '规则'}应归入${classOf(decision)}，档号不随新版本改变，请人工鉴定`,
      };
    case 'EXCLUDE':
      return { ...decision, outcome: 'REVIEW', ruleIds: [...decision.ruleIds, 'builtin:version:excluded-after-filed'], explanation: `${held}，本版按规则不归档（${decision.explanation}），请人工鉴定` };
    case 'REVIEW':
      return { ...decision, explanation: `${decision.explanation}（${held}）` };
    case 'QUARANTINE':
      return { ...decision, explanation: `${decision.explanation}；${held}在开放档案库中，请核查其密级` };
  }
}
