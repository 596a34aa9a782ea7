import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseSchedule, type RetentionSchedule } from './schedule.ts';

/** The default schedule shipped with the product, derived from 国家档案局令第8号. */
export const DEFAULT_SCHEDULE_PATH = path.join(import.meta.dirname, '..', 'schedules', 'default.yaml');

export async function loadSchedule(file: string = DEFAULT_SCHEDULE_PATH): Promise<RetentionSchedule> {
  return parseSchedule(await readFile(file, 'utf8'), path.basename(file));
}
