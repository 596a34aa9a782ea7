export { ConfigError, loadConfig } from './load.ts';
export { custodyEnv, fixitySettingsOf, replicaS3SettingsOf } from './custody.ts';
export { bool, csv, databaseEnv, int, kafkaEnv, logEnv, oaSourceSchema, oaSourcesEnv, pipelineEnv, redisEnv, s3Env, s3SettingsOf } from './fragments.ts';
export type { CallbackTarget, OaSource } from './fragments.ts';
export { callbackTargetSchema } from './fragments.ts';
export { isAllowedComponentUrl, isAllowedOrigin } from './fragments.ts';
export { kafkaEnvProblems, kafkaSettingsOf, refineKafkaEnv } from './fragments.ts';
export type { KafkaConnectionSettings } from './fragments.ts';
