/**
 * 文种 as the OA sends them → the name the schedule reasons with. OA systems label the same 文种
 * differently (纪要 as 《党政机关公文处理工作条例》 and GB/T 9704-2012 name it, 会议纪要 as many OA
 * forms do); the schedule's `documentTypes` table says which labels are one 文种, so a rule written
 * with either label matches a document sent with the other. Pure.
 */

/** Width and spacing differences are never a different 文种: `命令（令）` and `命令(令)` are one label. */
export const canonicalLabel = (label: string): string => label.normalize('NFKC').replace(/\s+/gu, '');

/** A schedule's table, `{ statutory name: [variants] }`, or none. */
export type DocumentTypeTable = Readonly<Record<string, readonly string[]>> | undefined;

const lookups = new WeakMap<object, Map<string, string>>();

function lookupOf(table: NonNullable<DocumentTypeTable>): Map<string, string> {
  let lookup = lookups.get(table);
  if (!lookup) {
    lookup = new Map();
    for (const [name, variants] of Object.entries(table)) {
      lookup.set(canonicalLabel(name), name);
      for (const variant of variants) lookup.set(canonicalLabel(variant), name);
    }
    lookups.set(table, lookup);
  }
  return lookup;
}

/** The statutory name of a 文种 label; a label the table does not know stays itself (width-normalised). */
export function documentTypeOf(table: DocumentTypeTable, label: string): string {
  const key = canonicalLabel(label);
  return (table && lookupOf(table).get(key)) ?? key;
}

/**
 * Problems a table can have: a label listed under two names (which one would it be?), or a name that
 * is itself listed as another name's variant (a chain the reader cannot follow).
 */
export function documentTypeTableProblems(table: NonNullable<DocumentTypeTable>): { name: string; message: string }[] {
  const problems: { name: string; message: string }[] = [];
  const owner = new Map<string, string>();
  for (const name of Object.keys(table)) owner.set(canonicalLabel(name), name);
  for (const [name, variants] of Object.entries(table)) {
    for (const variant of variants) {
      const key = canonicalLabel(variant);
      const first = owner.get(key);
      if (first !== undefined && first !== name) {
        problems.push({ name, message: `文种 label "${variant}" is listed under "${name}" and is already "${first}"; a label names one 文种` });
      } else {
        owner.set(key, name);
      }
    }
  }
  return problems;
}
