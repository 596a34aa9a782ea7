import { spawn } from 'node:child_process';
import { join } from 'node:path';

export { minimalPdf } from './minimalPdf.ts';

/**
 * Test helpers: ask independent implementations — the Library of Congress BagIt library, veraPDF
 * and the JDK's XML parser, run by infra/local/validators.sh — whether our output is right.
 * The first call may take minutes (Maven resolves the jars once into $OA_HOME); later calls pay a
 * JVM start and source compilation, a few seconds.
 */

const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const SCRIPT = join(REPO_ROOT, 'infra', 'local', 'validators.sh');

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** The validator's answer: the last stdout line that parses as a JSON object. */
function lastJson(result: RunResult, command: string): Record<string, unknown> {
  const lines = result.stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('{'));
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const parsed: unknown = JSON.parse(lines[i]!);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    } catch {
      // not the answer line; keep looking
    }
  }
  throw new Error(`validators.sh ${command} gave no JSON answer (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
}

export interface BagValidation {
  valid: boolean;
  error?: string;
  /**
   * The stage that refused the bag: "bagit-java" (RFC 8493 validity: completeness, every digest),
   * "bagit-profile" (infra/local/validators/aip-bagit-profile.json, checked by bagit-java's
   * BagLinter) or "tag-manifest-completeness" (every tag file in every tag manifest; RFC 8493
   * does not require it, our AIPs do — the one check written in Validate.java itself).
   */
  checkedBy?: string;
  /**
   * bagit-java's BagLinter findings (names of BagitWarning), advisory only. Expect
   * NON_STANDARD_ALGORITHM (sm3) and DIFFERENT_CASE: bagit-java 5.2.0 raises the latter for every
   * bag (ManifestChecker adds each path to its set before looking it up).
   */
  warnings?: string[];
}

/** Full validation of the bag in `dir` (every digest of every manifest and tag manifest) by gov.loc bagit-java. */
export async function validateBagIndependently(dir: string): Promise<BagValidation> {
  const result = await run(['bag', dir]);
  const answer = lastJson(result, 'bag');
  if (typeof answer.valid !== 'boolean' || (result.code !== 0 && result.code !== 1)) {
    throw new Error(`validators.sh bag failed (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
  return {
    valid: answer.valid,
    ...(typeof answer.error === 'string' ? { error: answer.error } : {}),
    ...(typeof answer.checkedBy === 'string' ? { checkedBy: answer.checkedBy } : {}),
    ...(Array.isArray(answer.warnings) ? { warnings: answer.warnings.map(String) } : {}),
  };
}

export interface PdfAValidation {
  compliant: boolean;
  /** The flavour validated against, e.g. "2b": the one the file declares, else veraPDF's default ("1b"). */
  flavour: string;
  /** Whether the file declares a PDF/A part at all. */
  declared: boolean;
  failedRules: number;
  firstFailures: string[];
}

/** PDF/A validation by veraPDF against the flavour the file claims. Rejects when veraPDF could not validate at all. */
export async function validatePdfAIndependently(file: string): Promise<PdfAValidation> {
  const result = await run(['pdfa', file]);
  if (result.code !== 0 && result.code !== 1) {
    throw new Error(`validators.sh pdfa could not validate ${file} (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
  const answer = lastJson(result, 'pdfa');
  return {
    compliant: answer.compliant === true,
    flavour: String(answer.flavour),
    declared: answer.declared === true,
    failedRules: Number(answer.failedRules),
    firstFailures: Array.isArray(answer.firstFailures) ? answer.firstFailures.map(String) : [],
  };
}

/** Namespace-aware well-formedness by the JDK's SAX parser. */
export async function checkXmlIndependently(file: string): Promise<{ wellFormed: boolean; error?: string; root?: string; namespace?: string }> {
  const result = await run(['xml', file]);
  const answer = lastJson(result, 'xml');
  if (typeof answer.wellFormed !== 'boolean' || (result.code !== 0 && result.code !== 1)) {
    throw new Error(`validators.sh xml failed (exit ${result.code}): ${result.stdout}\n${result.stderr}`);
  }
  return {
    wellFormed: answer.wellFormed,
    ...(typeof answer.error === 'string' ? { error: answer.error } : {}),
    ...(typeof answer.root === 'string' ? { root: answer.root } : {}),
    ...(typeof answer.namespace === 'string' ? { namespace: answer.namespace } : {}),
  };
}
