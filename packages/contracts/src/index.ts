export * from './archivalText.ts';
export * from './documentFinalized.ts';
export * from './cloudEvent.ts';
export * from './ingestKey.ts';
export * from './stages.ts';
export * from './receipt.ts';
export * from './deadLetter.ts';
export * from './example.ts';
export { formatBytes } from './bytes.ts';
