export { destroyItem, DestructionRefusedError } from './destroy.ts';
export type { DestructionDeps, DestructionResult, LockedObject } from './destroy.ts';
export { registerCsv, registerHtml, registerPdf } from './register.ts';
export type { RegisterOptions } from './register.ts';
