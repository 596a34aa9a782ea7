import { finding } from './findings.ts';
import type { Finding, FormatIdentification } from './types.ts';
import { readZipDirectory, type ZipDirectory } from './zipDirectory.ts';

/** Findings for ZIP-based documents (OOXML, ODF, OFD): damage, encryption and macros, from the central directory. */

const MACRO_ENABLED = new Set(['DOCM', 'XLSM', 'PPTM']);
const ODF = new Set(['ODT', 'ODS', 'ODP']);
const MANIFEST = 'META-INF/manifest.xml';
// Library indexes LibreOffice writes even without any macro.
const BASIC_INDEXES = /(^|\/)(script|dialog)-l[cb]\.xml$/;

export async function packageFindings(filePath: string, identification: FormatIdentification): Promise<Finding[]> {
  const kind = identification.formatName;
  const isOdf = ODF.has(kind);
  let directory: ZipDirectory;
  try {
    directory = await readZipDirectory(filePath, { readBytes: (name) => (isOdf && name === MANIFEST ? 1024 * 1024 : 0) });
  } catch (error) {
    return [finding('corrupt', `${kind} package is damaged: its ZIP central directory cannot be read (${(error as Error).message}); request a complete copy.`)];
  }

  const findings: Finding[] = [];
  const names = directory.entries.map((entry) => entry.name);
  const locked = directory.entries.filter((entry) => entry.encrypted).length;
  if (locked) findings.push(finding('encrypted', `${kind} has ${locked} password-protected part(s); obtain an unprotected copy.`));

  if (MACRO_ENABLED.has(kind)) findings.push(finding('macros', `${kind} is a macro-enabled format; obtain a copy saved without macros (e.g. as ${kind.slice(0, 3)}X or PDF/A).`));
  const vba = names.find((name) => /(^|\/)vbaProject\.bin$/i.test(name));
  if (vba) findings.push(finding('macros', `${kind} contains a VBA macro project (${vba}); obtain a copy saved without macros.`));

  if (isOdf) {
    const script = names.find((name) => (name.startsWith('Basic/') && !BASIC_INDEXES.test(name) && !name.endsWith('/')) || name.startsWith('Scripts/'));
    if (script) findings.push(finding('macros', `${kind} contains macro scripts (${script}); obtain a copy saved without macros.`));
    const readError = directory.readErrors.get(MANIFEST);
    const manifest = directory.texts.get(MANIFEST);
    if (readError) findings.push(finding('corrupt', `${kind} manifest cannot be read (${readError}); request a complete copy.`));
    else if (!names.includes(MANIFEST)) findings.push(finding('corrupt', `${kind} has no ${MANIFEST}; request a complete copy.`));
    else if (manifest?.includes('encryption-data')) findings.push(finding('encrypted', `${kind} is password-protected (its manifest lists encrypted parts); obtain an unprotected copy.`));
  }
  return findings;
}
