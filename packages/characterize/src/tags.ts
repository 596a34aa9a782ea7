import type { Tags } from 'exiftool-vendored';

/**
 * Loose access to exiftool tags: many we use (XMP-pdfaid Part, PDF Encryption, DOC DocFlags) are
 * not in the typed `Tags` interface, and callers may have read with or without group prefixes.
 */

function record(tags: Tags): Record<string, unknown> {
  return tags as unknown as Record<string, unknown>;
}

/** The first of `names` present as a non-empty string or a number, as a trimmed string. */
export function tagString(tags: Tags, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = record(tags)[name];
    if (typeof value === 'string' && value.trim()) return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return undefined;
}

/** exiftool's errors and warnings, from the bare tags and exiftool-vendored's lists, without repeats. */
export function tagProblems(tags: Tags): { errors: string[]; warnings: string[] } {
  const collect = (single: string[], list: unknown): string[] => {
    const values = [...single.map((name) => record(tags)[name]), ...(Array.isArray(list) ? list : [])];
    return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim()))];
  };
  return {
    errors: collect(['Error', 'ExifTool:Error'], tags.errors),
    warnings: collect(['Warning', 'ExifTool:Warning'], tags.warnings),
  };
}
