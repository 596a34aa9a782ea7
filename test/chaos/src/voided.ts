import type pg from 'pg';

/**
 * Item numbers the catalog records as voided, per class key (category|year|retention|org). Voiding
 * is being added to the catalog alongside this suite, so the schema is read as it is found: a table
 * whose name says "void" with the class columns and an item number, or a voided marker on
 * classifications. `source` says which, or that there is none.
 */
export async function voidedNumbers(pool: pg.Pool): Promise<{ source: string; byClass: Map<string, number[]> }> {
  const { rows: columns } = await pool.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`,
  );
  const tables = new Map<string, Set<string>>();
  for (const c of columns) tables.set(c.table_name, (tables.get(c.table_name) ?? new Set()).add(c.column_name));
  const byClass = new Map<string, number[]>();
  const add = (key: string, n: number) => byClass.set(key, [...(byClass.get(key) ?? []), n]);

  for (const [table, cols] of tables) {
    if (!/void/i.test(table)) continue;
    const item = ['item_number', 'item'].find((c) => cols.has(c));
    const org = ['org', 'organisation_code'].find((c) => cols.has(c));
    if (!item || !org || !['category', 'year', 'retention'].every((c) => cols.has(c))) continue;
    const { rows } = await pool.query(`SELECT category, year, retention, ${org} AS org, ${item} AS item FROM ${table}`);
    for (const r of rows) add(`${r.category}|${r.year}|${r.retention}|${r.org}`, Number(r.item));
    return { source: `table ${table}`, byClass };
  }
  const marker = [...(tables.get('classifications') ?? [])].find((c) => /^voided/.test(c));
  if (marker) {
    const { rows } = await pool.query(
      `SELECT category, year, retention, organisation_code AS org, item_number AS item FROM classifications WHERE ${marker} IS NOT NULL AND ${marker}::text <> 'false' AND item_number IS NOT NULL`,
    );
    for (const r of rows) add(`${r.category}|${r.year}|${r.retention}|${r.org}`, Number(r.item));
    return { source: `classifications.${marker}`, byClass };
  }
  return { source: 'the catalog records no voided numbers', byClass };
}
