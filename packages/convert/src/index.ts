export { Converter } from './converter.ts';
export type { ConversionResult } from './converter.ts';
export { ConversionError, ConversionTimeoutError, InstanceDiedError, ToolExitError, ToolSpawnError } from './errors.ts';
export { FFMPEG_DEMUXERS } from './ffmpeg.ts';
export { LibreOfficePool } from './libreofficePool.ts';
export type { PoolOptions } from './libreofficePool.ts';
export { CONVERSION_TARGETS, conversionPolicySchema, DEFAULT_POLICY_PATH, formatMatches, isAccepted, loadConversionPolicy, planFor, PolicyError } from './policy.ts';
export type { ConversionPlan, ConversionPolicy, ConversionRule, ConversionTarget, ConversionTool } from './policy.ts';
