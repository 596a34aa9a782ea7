import path from 'node:path';

/** A small schedule of its own for the rule-learning tests (pipeline, console, CLI): 请示 always waits for review. */
export const LEARNING_SCHEDULE_PATH = path.join(import.meta.dirname, '..', 'test', 'fixtures', 'learning-schedule.yaml');
