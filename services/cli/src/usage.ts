import { translator, type Locale, type MessageCode } from '@oa-archive/messages';

/** Every command's syntax and what it does (a catalogue entry, so the help is in the reader's language). */
const COMMANDS: [syntax: string, help: MessageCode][] = [
  ['archive migrate', 'cli.help.migrate'],
  ['archive audit verify [--read-back]', 'cli.help.auditVerify'],
  ['archive audit anchor', 'cli.help.auditAnchor'],
  ['archive ingests [--status S] [--source S]', 'cli.help.ingests'],
  ['archive show <ingest id | document id>', 'cli.help.show'],
  ['archive classify [--schedule file.yaml]', 'cli.help.classify'],
  ['archive replay <ingest | document id> [--from start]', 'cli.help.replay'],
  ['archive replay --bulk [--stage S] [--error-class E] [--source S] [--since T] [--until T] [--dry-run] [--rate N]', 'cli.help.replayBulk'],
  ['archive review settle <ingest id> --file WS:D30 [--note "why" --confirm] | --retry | --exclude "why" | --quarantine "why"', 'cli.help.reviewSettle'],
  ['archive proposals [list] [--all] | proposals show <id> [--json] | proposals accept <id> [--note why] | proposals reject <id> --note why', 'cli.help.proposals'],
  ['archive reconcile-jobs', 'cli.help.reconcileJobs'],
  ['archive reconcile --source S --since T --until T [--json]', 'cli.help.reconcile'],
  ['archive fixity [--all | --ingest a,b | --since T] [--rate BYTES_PER_S]', 'cli.help.fixity'],
  ['archive fixity replicate [--ingest a,b] | fixity premis <ingest id>', 'cli.help.fixityMore'],
  ['archive token create --name N --role viewer|operator|admin | token revoke --name N', 'cli.help.token'],
  ['archive redrive [--limit N] [--json]', 'cli.help.redrive'],
  ['archive reconsume --since T --until T [--json]', 'cli.help.reconsume'],
  ['archive callbacks [summary] | callbacks list [--state dead|pending|delivered] [--source S]', 'cli.help.callbacks'],
  ['archive callbacks redrive <id> … | callbacks redrive --all [--source S] [--note why]', 'cli.help.callbacksRedrive'],
  ['archive rebuild-catalog --into <database url>', 'cli.help.rebuildCatalog'],
  ['archive disposition due [--as-of D] [--state S|all] | disposition decide <ingest | 档号> --decision retain|permanent|transfer|destroy --reason R [--years N]', 'cli.help.disposition'],
  ['archive disposition destroy <ingest | 档号>[,…] | --all | disposition register --csv|--pdf [--since D] [--until D] [--out FILE]', 'cli.help.dispositionDestroy'],
  ['archive holds [list] [--all] | holds create --name N --reason R [--ingest a,b] [--code 档号,…] [--class WS/2015/D10,…] | holds lift --name N --reason R', 'cli.help.holds'],
  ['archive await --documents a,b [--source S] [--timeout 120]', 'cli.help.await'],
];

/** What `archive` prints when it is not told what to do: each command, and what it does, in the reader's language. */
export function usageText(locale: Locale): string {
  const t = translator(locale);
  return [t('cli.help.title'), ...COMMANDS.flatMap(([syntax, help]) => [`  ${syntax}`, `      ${t(help)}`])].join('\n') + '\n';
}
