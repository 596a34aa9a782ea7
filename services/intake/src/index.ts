export { intakeEnv, loadIntakeConfig } from './config.ts';
export type { IntakeConfig } from './config.ts';
export { CatalogUnavailableError, IntakeService, startIntake } from './intake.ts';
export type { IntakeOutcome, IntakeStats } from './intake.ts';
