export { auditVerify } from './commands/auditVerify.ts';
export type { AuditReport } from './commands/auditVerify.ts';
export { awaitOutcomes, ingestTable, outcomeSummary, sourceOutcomes } from './commands/ingests.ts';
export { cliEnv, loadCliConfig } from './config.ts';
export { displayWidth, formatTable } from './table.ts';
export { progressLine, rebuildCatalogCommand, summaryLines } from './commands/rebuildCatalog.ts';
