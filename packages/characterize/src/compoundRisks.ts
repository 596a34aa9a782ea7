import { readCompoundFile, type CompoundFile } from './compoundFile.ts';
import { finding } from './findings.ts';
import type { Finding, FormatIdentification } from './types.ts';

/** Findings for OLE compound files (.doc/.xls/.ppt, password-protected OOXML): damage, encryption, macros. */

// Word keeps VBA under Macros/, Excel under _VBA_PROJECT_CUR/; both hold a VBA storage.
const MACRO_STORAGES = new Set(['Macros', '_VBA_PROJECT_CUR', 'VBA']);
const FIB_ENCRYPTED = 0x0100;
const BIFF_BOF = 0x0809;
const BIFF_FILEPASS = 0x002f;

/** Word 97+: the FIB's fEncrypted flag. */
function wordEncrypted(fib: Buffer | undefined): boolean {
  return !!fib && fib.length >= 0x0c && fib.readUInt16LE(0) === 0xa5ec && (fib.readUInt16LE(0x0a) & FIB_ENCRYPTED) !== 0;
}

/** Excel BIFF8: a FILEPASS record among the first records of the workbook globals. */
function excelEncrypted(workbook: Buffer | undefined): boolean {
  if (!workbook || workbook.length < 4 || workbook.readUInt16LE(0) !== BIFF_BOF) return false;
  for (let at = 0, records = 0; at + 4 <= workbook.length && records < 32; records++) {
    if (workbook.readUInt16LE(at) === BIFF_FILEPASS) return true;
    at += 4 + workbook.readUInt16LE(at + 2);
  }
  return false;
}

export async function compoundFindings(filePath: string, identification: FormatIdentification): Promise<Finding[]> {
  const kind = identification.formatName;
  let file: CompoundFile;
  try {
    file = await readCompoundFile(filePath, ['WordDocument', 'Workbook', 'Book'], 1024);
  } catch (error) {
    return [finding('corrupt', `${kind} is damaged: its OLE structure cannot be read (${(error as Error).message}); request a complete copy.`)];
  }
  const findings: Finding[] = [];
  const paths = new Set(file.entries.map((entry) => entry.path));
  if (paths.has('EncryptionInfo') || paths.has('EncryptedPackage')) {
    findings.push(finding('encrypted', `${kind} is a password-protected Office document (EncryptionInfo/EncryptedPackage); obtain an unprotected copy.`));
  }
  if (wordEncrypted(file.heads.get('WordDocument'))) findings.push(finding('encrypted', `${kind} is password-protected (Word encryption flag); obtain an unprotected copy.`));
  if (excelEncrypted(file.heads.get('Workbook') ?? file.heads.get('Book'))) findings.push(finding('encrypted', `${kind} is password-protected (Excel FILEPASS record); obtain an unprotected copy.`));
  if (paths.has('EncryptedSummary')) findings.push(finding('encrypted', `${kind} is password-protected (PowerPoint encrypted summary); obtain an unprotected copy.`));

  const macros = file.entries.find((entry) => entry.kind === 'storage' && MACRO_STORAGES.has(entry.name));
  if (macros) findings.push(finding('macros', `${kind} contains VBA macros (${macros.path}); obtain a copy saved without macros.`));
  return findings;
}
