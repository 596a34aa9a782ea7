import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConversionError } from './errors.ts';
import { runTool } from './process.ts';

/** sRGB output intent: Ghostscript's own default RGB profile is sRGB. */
export function findSrgbProfile(): string {
  const candidates = ['/usr/share/color/icc/ghostscript/default_rgb.icc', '/usr/share/color/icc/ghostscript/srgb.icc'];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new ConversionError('ghostscript', 'no sRGB ICC profile found for the PDF/A output intent (Debian package ghostscript)', { retryable: false });
}

/** The PDF/A prefix file Ghostscript reads first: document info plus an sRGB output intent. */
function pdfaDefinition(iccProfile: string): string {
  const ps = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`);
  return `%!
/ICCProfile (${ps(iccProfile)}) def
[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} ICCProfile (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} <<
  /Type /OutputIntent
  /S /GTS_PDFA1
  /DestOutputProfile {icc_PDFA}
  /OutputConditionIdentifier (sRGB)
>> /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
`;
}

/** PDF (not PDF/A) → PDF/A-2b with Ghostscript's pdfwrite. */
export async function ghostscriptToPdfA(args: { input: string; output: string; workDir: string; part: 1 | 2 | 3; timeoutMs: number; signal?: AbortSignal }): Promise<{ options: string[] }> {
  const icc = findSrgbProfile();
  const def = path.join(args.workDir, 'PDFA_def.ps');
  await writeFile(def, pdfaDefinition(icc));
  const options = [
    `-dPDFA=${args.part}`,
    '-dPDFACompatibilityPolicy=1',
    '-sColorConversionStrategy=RGB',
    '-sDEVICE=pdfwrite',
    '-dBATCH',
    '-dNOPAUSE',
    '-dQUIET',
    '-dSAFER',
    `--permit-file-read=${icc}`,
  ];
  await runTool('ghostscript', 'gs', [...options, `-sOutputFile=${args.output}`, def, args.input], { timeoutMs: args.timeoutMs, signal: args.signal });
  return { options };
}
