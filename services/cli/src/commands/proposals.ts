import { ruleProposalOf, ruleProposals, type Catalog, type RuleProposalRecord } from '@oa-archive/catalog';
import { acceptRuleProposal, DRY_RUN_DAYS, dryRunProposal, effectiveSchedule, readScheduleSource, refreshRuleProposals, rejectRuleProposal } from '@oa-archive/pipeline';
import type { CliConfig } from '../config.ts';

/**
 * Rules learned from the review queue, from the command line:
 *   archive proposals [list] [--all]             bring the proposals up to date and list the open ones (--all: decided ones too)
 *   archive proposals show <id> [--json]         one proposal: its rule, its documents and the dry run over the last year
 *   archive proposals accept <id> [--note why]   a new schedule version with the rule (audited)
 *   archive proposals reject <id> --note why     recorded with who and why (audited)
 */

type Values = Record<string, string | boolean | undefined>;
const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v : undefined);

const USAGE = 'usage: archive proposals [list] [--all] | proposals show <id> [--json] | proposals accept <id> [--note why] | proposals reject <id> --note why';

const outcomeOf = (p: RuleProposalRecord) => {
  const s = p.settlement as { outcome: string; category?: string; retention?: string };
  return s.outcome === 'FILE' ? `FILE ${s.category}·${s.retention}` : s.outcome;
};

const line = (p: RuleProposalRecord) =>
  `#${p.id}  ${p.status.padEnd(8)}  ${p.rule.id}  ${JSON.stringify(p.rule.when)} → ${outcomeOf(p)}  (${p.ingestIds.length} documents)${p.decidedBy ? `  ${p.status} by ${p.decidedBy}${p.reason ? `: ${p.reason}` : ''}${p.acceptedVersion ? ` → ${p.acceptedVersion}` : ''}` : ''}`;

function proposalId(raw: string | undefined): number {
  if (!raw || !/^\d{1,15}$/.test(raw)) throw new Error(`a proposal id (a number) is required; ${USAGE}`);
  return Number(raw);
}

export async function proposalsCommand(config: CliConfig, catalog: Catalog, sub: string | undefined, target: string | undefined, values: Values, actor: string, out: (line: string) => void): Promise<number> {
  const root = await readScheduleSource(config.RETENTION_SCHEDULE);
  const deps = { catalog, root };
  switch (sub ?? 'list') {
    case 'list': {
      const { open, created } = await refreshRuleProposals(deps);
      out(`schedule in force: ${(await effectiveSchedule(catalog.pool, root)).schedule.version}; ${open.length} open proposal(s)${created ? `, ${created} new` : ''}`);
      const shown = values.all ? await ruleProposals(catalog.pool) : open;
      for (const p of shown) out(line(p));
      return 0;
    }
    case 'show': {
      const proposal = await ruleProposalOf(catalog.pool, proposalId(target));
      if (!proposal) throw new Error(`no rule proposal ${target}`);
      const dryRun = await dryRunProposal(deps, proposal);
      if (values.json) {
        out(JSON.stringify({ proposal, dryRun }, null, 2));
        return 0;
      }
      out(line(proposal));
      out(`  ${String(proposal.rule.explain ?? '')}`);
      out(`  documents it would have decided: ${proposal.ingestIds.join(', ')}`);
      out(`  dry run over the last ${DRY_RUN_DAYS} days (schedule ${dryRun.scheduleVersion}): ${dryRun.changes.length} of ${dryRun.documents} documents would change`);
      for (const c of dryRun.changes) {
        out(`  ${c.documentId}  ${c.title}  ${[c.from.outcome, c.from.category, c.from.retention].filter(Boolean).join('·')} → ${[c.to.outcome, c.to.category, c.to.retention].filter(Boolean).join('·')}`);
      }
      return 0;
    }
    case 'accept': {
      const { version } = await acceptRuleProposal(deps, proposalId(target), actor, str(values.note));
      out(`proposal ${target} accepted: schedule version ${version.version} (from ${version.baseVersion}); workers use it from their next refresh`);
      return 0;
    }
    case 'reject': {
      const note = str(values.note);
      if (!note?.trim()) throw new Error(`--note is required: say why the rule is rejected; ${USAGE}`);
      const proposal = await rejectRuleProposal(deps, proposalId(target), actor, note);
      out(`proposal ${proposal.id} rejected by ${proposal.decidedBy}: ${proposal.reason}`);
      return 0;
    }
    default:
      throw new Error(USAGE);
  }
}
