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
  type TagFile,
} from './bagit.ts';
export { decodeManifestPath, parseManifest } from './manifestParse.ts';
export { DA46_NAMESPACE, toDa46Xml, type Da46Extra, type Da46RecordLike } from './da46Xml.ts';
export { PREMIS_NAMESPACE, toPremisXml, type PremisEventType, type PremisObject, type PremisRepresentation, type PreservationEvent } from './premis.ts';
export { XmlValueError } from './xml.ts';
