import type { Stage } from '@oa-archive/contracts';
import type { StageHandler } from '../context.ts';

/**
 * The stages whose real work (characterization, classification, conversion, validation, packaging)
 * is not built yet. They run as stages with their own queues, record that they did nothing, and pass
 * the document on, so the work can be dropped in without moving anything else.
 */
export function pendingStage(stage: Stage): StageHandler {
  return async () => ({ detail: { performed: false, note: `${stage} is not implemented yet; document passed on unchanged` } });
}
