export { documentIdOf, eventDataOf, parseDocumentId, simulateDocument } from './documents.ts';
export type { SimulatedComponent, SimulatedDocument } from './documents.ts';
export { makeDocx, makeJpeg, makePdf, makePng } from './files.ts';
export { publishDocuments } from './publisher.ts';
export type { PublishedDocument } from './publisher.ts';
export { createFileServer, listen } from './server.ts';
