export {
  ALGORITHMS,
  BagError,
  buildBag,
  checkPayloadPath,
  compareCodePoints,
  encodeManifestPath,
  formatBagSize,
  type BagAlgorithm,
  type BagInfo,
  type BagTagFile,
  type BuiltBag,
  type PayloadFile,
  type StagedTagFile,
  type TagFile,
} from './bagit.ts';
export { decodeManifestPath, parseManifest } from './manifestParse.ts';
export { DA46_NAMESPACE, da46Elements, toDa46Xml, type Da46Extra, type Da46RecordLike } from './da46Xml.ts';
export { PREMIS_NAMESPACE, toPremisXml, type PremisEventType, type PremisObject, type PremisRepresentation, type PreservationEvent } from './premis.ts';
export { EEP_NAMESPACE, EEP_VERSION, EepError, verifyEepSignature, writeEep, type EepAgent, type EepDocument, type EepEncoding, type EepInput, type EepResult, type EepSigner, type EepStep } from './eep.ts';
export { eepInputOf, type EepDocumentLike } from './eepInput.ts';
export { XmlValueError } from './xml.ts';
