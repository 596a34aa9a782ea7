import type { Stage } from '@oa-archive/contracts';
import type { StageHandler } from '../context.ts';
import { characterizeStage } from './characterize.ts';
import { classifyStage } from './classify.ts';
import { convertStage } from './convert.ts';
import { packageStage } from './package.ts';
import { validateStage } from './validate.ts';
import { depositStage } from './deposit.ts';
import { fetchStage } from './fetch.ts';
import { notifyStage } from './notify.ts';

export const stageHandlers: Record<Stage, StageHandler> = {
  fetch: fetchStage,
  characterize: characterizeStage,
  classify: classifyStage,
  convert: convertStage,
  validate: validateStage,
  package: packageStage,
  deposit: depositStage,
  notify: notifyStage,
};
