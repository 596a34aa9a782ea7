import { writeFile } from 'node:fs/promises';
import {
  createHold,
  decideDisposition,
  destructionRegister,
  DISPOSITION_DECISIONS,
  DispositionRefusedError,
  dispositionItems,
  HoldError,
  holdsOf,
  liftHold,
  parseCalendarDate,
  parseClassSelector,
  selectorText,
  type Catalog,
  type DispositionDecisionKind,
  type DispositionItem,
  type DispositionState,
  type HoldSelector,
} from '@oa-archive/catalog';
import { loadSchedule } from '@oa-archive/classify';
import { replicaS3SettingsOf, s3SettingsOf } from '@oa-archive/config';
import { formatDate, formatDateTime, isMessageCode, nameWithCode, translator, type Locale, type MessageCode } from '@oa-archive/messages';
import { createLogger } from '@oa-archive/observability';
import { destroyItem, DestructionRefusedError, registerCsv, registerPdf } from '@oa-archive/pipeline';
import { createS3Client, ObjectStore } from '@oa-archive/storage';
import type { CliConfig } from '../config.ts';
import { formatTable } from '../table.ts';

/**
 * `archive disposition …` (到期鉴定) and `archive holds …`: the same catalog functions as the
 * console's pages, plus destruction, which needs the object store. See docs/custody.md,
 * "Disposition and holds".
 */

export interface DispositionValues {
  'as-of'?: string | undefined;
  state?: string | undefined;
  decision?: string | undefined;
  reason?: string | undefined;
  years?: string | undefined;
  since?: string | undefined;
  until?: string | undefined;
  csv?: boolean | undefined;
  pdf?: boolean | undefined;
  out?: string | undefined;
  all?: boolean | undefined;
  name?: string | undefined;
  ingest?: string | undefined;
  code?: string | undefined;
  class?: string | undefined;
  as?: string | undefined;
}

const STATES: readonly DispositionState[] = ['not-due', 'due', 'retained', 'permanent', 'transfer', 'destroy-approved', 'destroyed'];

const timeZoneOf = (config: CliConfig) => config.AGENCY_TIME_ZONE;
/** Department names from the schedule the worker files by, so tables and the register read 办公室, not BGS. */
const departmentNamesOf = async (config: CliConfig) => (await loadSchedule(config.RETENTION_SCHEDULE)).agency.departmentNames ?? {};
/** The day the rules are applied for: `--as-of`, else today in the agency's time zone. */
export const asOfOf = (values: DispositionValues, timeZone: string, now = new Date()) => (values['as-of'] ? parseCalendarDate(values['as-of']) : formatDate(now, timeZone));

const list = (text: string | undefined) => (text ?? '').split(',').map((s) => s.trim()).filter(Boolean);

/** What `archive holds create` names: --ingest a,b  --code 档号,…  --class WS/2015/D10,… */
export function holdSelectorsOf(values: Pick<DispositionValues, 'ingest' | 'code' | 'class'>): HoldSelector[] {
  return [
    ...list(values.ingest).map((value) => ({ kind: 'ingest' as const, value })),
    ...list(values.code).map((value) => ({ kind: 'reference-code' as const, value })),
    ...list(values.class).map(parseClassSelector),
  ];
}

/** The review list as a table, in the reader's language. */
export function dispositionTable(items: readonly DispositionItem[], locale: Locale, departmentNames: Readonly<Record<string, string>> = {}): string {
  const t = translator(locale);
  const label = (code: string) => (isMessageCode(code) ? t(code as MessageCode) : code);
  const named = (key: string, code: string) => nameWithCode(isMessageCode(key) ? t(key as MessageCode) : code, code, locale);
  return formatTable(
    [t('disposition.col.referenceCode'), t('disposition.col.title'), t('disposition.col.category'), t('col.department'), t('disposition.col.retention'), t('disposition.col.dueOn'), t('disposition.col.state'), t('disposition.col.decision'), t('disposition.col.holds'), t('cli.col.ingest')],
    items.map((i) => [
      i.referenceCode,
      i.title,
      named(`category.${i.category}`, i.category),
      nameWithCode(departmentNames[i.departmentCode] ?? i.departmentCode, i.departmentCode, locale),
      named(`retention.${i.retention}`, i.retention),
      i.dueOn ?? '',
      label(`disposition.state.${i.state}`),
      i.decision ? `${label(`disposition.decision.${i.decision.decision}`)}: ${i.decision.reason}` : '',
      i.holds.join(', '),
      i.ingestId,
    ]),
    40,
  );
}

function refusalText(error: DispositionRefusedError | HoldError, locale: Locale): string {
  const t = translator(locale);
  const code = error instanceof DispositionRefusedError ? `disposition.refused.${error.code}` : `holds.refused.${error.code}`;
  if (!isMessageCode(code)) return t('holds.error', { message: error.message });
  return error instanceof DispositionRefusedError ? t('disposition.refused', { reason: t(code, error.params) }) : t('holds.error', { message: t(code, error.params) });
}

function destructionDeps(config: CliConfig, catalog: Catalog) {
  const s3 = createS3Client(s3SettingsOf(config));
  const replica = replicaS3SettingsOf(config);
  const replicaS3 = replica ? createS3Client(replica.s3) : undefined;
  return {
    deps: {
      pool: catalog.pool,
      primary: new ObjectStore(s3),
      replica: replicaS3 ? new ObjectStore(replicaS3) : undefined,
      archiveLocks: config.S3_OBJECT_LOCK !== 'off',
      logger: createLogger({ service: 'cli', level: 'warn' }),
    },
    close() {
      s3.destroy();
      replicaS3?.destroy();
    },
  };
}

const dateArg = (text: string | undefined, name: string): Date | undefined => {
  if (!text) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new Error(`--${name} "${text}" is not a date (e.g. 2037-01-01)`);
  return date;
};

/**
 *   archive disposition due [--as-of D] [--state S|all]
 *   archive disposition decide <ingest id | 档号> --decision retain|permanent|transfer|destroy --reason "…" [--years N] [--as-of D]
 *   archive disposition destroy <ingest id | 档号>[,…] | --all [--as-of D]
 *   archive disposition register --csv | --pdf [--since D] [--until D] [--out FILE]
 */
export async function dispositionCommand(config: CliConfig, catalog: Catalog, sub: string | undefined, arg: string | undefined, values: DispositionValues, out: (line: string) => void): Promise<number> {
  const locale = config.ARCHIVE_LOCALE;
  const t = translator(locale);
  const zone = timeZoneOf(config);
  const actor = `cli:${values.as ?? process.env.USER ?? 'admin'}`;
  const asOf = asOfOf(values, zone);
  try {
    if (sub === 'due' || sub === undefined) {
      const wanted = values.state === 'all' ? undefined : list(values.state ?? 'due');
      const bad = (wanted ?? []).filter((s) => !STATES.includes(s as DispositionState));
      if (bad.length) throw new Error(`--state ${bad.join(',')}: use one or more of ${STATES.join(', ')}, or all`);
      const items = await dispositionItems(catalog.pool, { asOf, ...(wanted ? { states: wanted as DispositionState[] } : {}) });
      out(items.length ? dispositionTable(items, locale, await departmentNamesOf(config)) : t('disposition.none'));
      out(`\n${asOf}: ${items.length}`);
      return 0;
    }
    if (sub === 'decide') {
      if (!arg) throw new Error('usage: archive disposition decide <ingest id | 档号> --decision retain|permanent|transfer|destroy --reason "…" [--years N]');
      if (!DISPOSITION_DECISIONS.includes(values.decision as DispositionDecisionKind)) throw new Error(`--decision must be one of ${DISPOSITION_DECISIONS.join(', ')}`);
      const item = await decideDisposition(catalog.pool, {
        item: arg,
        request: { decision: values.decision as DispositionDecisionKind, reason: values.reason ?? '', ...(values.years !== undefined ? { extendYears: Number(values.years) } : {}) },
        actor,
        asOf,
      });
      out(dispositionTable([item], locale, await departmentNamesOf(config)));
      return 0;
    }
    if (sub === 'destroy') {
      const targets = values.all ? (await dispositionItems(catalog.pool, { asOf, states: ['destroy-approved'] })).filter((i) => i.holds.length === 0).map((i) => i.ingestId) : list(arg);
      if (targets.length === 0) throw new Error(values.all ? 'no item awaits destruction (approved and not held)' : 'usage: archive disposition destroy <ingest id | 档号>[,…] | --all');
      const { deps, close } = destructionDeps(config, catalog);
      let failed = 0;
      try {
        // One item after another: each is destroyed whole or not at all, and a refusal does not stop the others.
        for (const target of targets) {
          try {
            const result = await destroyItem(deps, { item: target, actor, asOf });
            out(`${result.item.referenceCode}  ${t('disposition.state.destroyed')}: ${result.objects.length} object version(s), ${result.objects.reduce((s, o) => s + o.size, 0)} bytes`);
          } catch (error) {
            if (!(error instanceof DispositionRefusedError || error instanceof DestructionRefusedError)) throw error;
            failed += 1;
            out(`${target}  ${error instanceof DispositionRefusedError ? refusalText(error, locale) : error.message}`);
          }
        }
      } finally {
        close();
      }
      return failed > 0 ? 1 : 0;
    }
    if (sub === 'register') {
      if (values.csv === values.pdf) throw new Error('usage: archive disposition register --csv | --pdf [--since D] [--until D] [--out FILE]');
      const since = dateArg(values.since, 'since');
      const until = dateArg(values.until, 'until');
      const records = await destructionRegister(catalog.pool, { ...(since ? { since } : {}), ...(until ? { until } : {}) });
      const departmentNames = await departmentNamesOf(config);
      const options = { locale, timeZone: zone, since, until, departmentNames };
      const body = values.pdf ? await registerPdf(records, options) : Buffer.from(registerCsv(records, options));
      if (values.out) {
        await writeFile(values.out, body);
        process.stderr.write(`${records.length} destroyed item(s) → ${values.out}\n`);
      } else if (values.pdf && process.stdout.isTTY) {
        throw new Error('a PDF goes to a file: add --out register.pdf (or redirect stdout)');
      } else {
        process.stdout.write(body);
      }
      return 0;
    }
    throw new Error(`unknown: archive disposition ${sub} (use: due | decide | destroy | register)`);
  } catch (error) {
    if (error instanceof DispositionRefusedError) {
      out(refusalText(error, locale));
      return 1;
    }
    throw error;
  }
}

/**
 *   archive holds [list] [--all]
 *   archive holds create --name N --reason "…" [--ingest a,b] [--code 档号,…] [--class WS/2015/D10,…]
 *   archive holds lift --name N --reason "…"
 */
export async function holdsCommand(config: CliConfig, catalog: Catalog, sub: string | undefined, values: DispositionValues, out: (line: string) => void): Promise<number> {
  const locale = config.ARCHIVE_LOCALE;
  const t = translator(locale);
  const actor = `cli:${values.as ?? process.env.USER ?? 'admin'}`;
  try {
    if (sub === 'create') {
      const hold = await createHold(catalog.pool, { name: values.name ?? '', reason: values.reason ?? '', selectors: holdSelectorsOf(values), actor });
      out(`${hold.name}: ${hold.items} ${t('holds.col.covers')}`);
      return 0;
    }
    if (sub === 'lift') {
      const hold = await liftHold(catalog.pool, { name: values.name ?? '', reason: values.reason ?? '', actor });
      out(`${hold.name}: ${t('holds.col.lifted')} ${formatDateTime(hold.liftedAt, config.AGENCY_TIME_ZONE)}`);
      return 0;
    }
    if (sub !== undefined && sub !== 'list') throw new Error(`unknown: archive holds ${sub} (use: list | create | lift)`);
    const holds = await holdsOf(catalog.pool, values.all ? {} : { active: true });
    out(
      formatTable(
        [t('holds.col.name'), t('holds.col.reason'), t('holds.col.items'), t('holds.col.covers'), t('holds.col.createdBy'), t('holds.col.createdAt'), t('holds.col.lifted')],
        holds.map((h) => [
          h.name,
          h.reason,
          h.selectors.map(selectorText).join(', '),
          String(h.items),
          h.createdBy,
          formatDateTime(h.createdAt, config.AGENCY_TIME_ZONE),
          h.liftedAt ? `${formatDateTime(h.liftedAt, config.AGENCY_TIME_ZONE)} ${h.liftedBy}: ${h.liftReason}` : '',
        ]),
        50,
      ),
    );
    return 0;
  } catch (error) {
    if (error instanceof HoldError) {
      out(refusalText(error, locale));
      return 1;
    }
    throw error;
  }
}
