import { z } from 'zod';
import { INGEST_STATUSES } from '@oa-archive/contracts';

/** A date or date-time in a query or body; a bad one is refused with its field named. */
export const date = z.iso.datetime({ offset: true }).or(z.iso.date()).transform((s) => new Date(s));

/** Ingest search, shared by the API and the page so both refuse the same bad input. */
export const searchQuery = z.object({
  q: z.string().max(200).optional(),
  status: z.enum(INGEST_STATUSES).optional(),
  department: z.string().max(50).optional(),
  category: z.string().regex(/^[A-Z]{2}$/).optional(),
  retention: z.enum(['Y', 'D30', 'D10']).optional(),
  year: z.coerce.number().int().min(1900).max(2999).optional(),
  from: date.optional(),
  to: date.optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  format: z.enum(['json', 'csv']).default('json'),
});

export const timelinessQuery = z.object({ from: date.optional(), to: date.optional(), format: z.enum(['json', 'csv']).default('json') });

/** Empty form fields mean "not given". */
export const withoutEmpty = (query: Record<string, unknown>) => Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));

export const issuesOf = (error: z.ZodError) => error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
