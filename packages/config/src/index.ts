export { ConfigError, loadConfig } from './load.ts';
export { bool, csv, databaseEnv, int, kafkaEnv, logEnv, oaSourceSchema, oaSourcesEnv, pipelineEnv, redisEnv, s3Env, s3SettingsOf } from './fragments.ts';
export type { OaSource } from './fragments.ts';
export { isAllowedOrigin } from './fragments.ts';
export { kafkaEnvProblems, kafkaSettingsOf, refineKafkaEnv } from './fragments.ts';
export type { KafkaConnectionSettings } from './fragments.ts';
