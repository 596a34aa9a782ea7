import { compareCodePoints } from './bagit.ts';
import { el, renderDocument, XmlValueError, type XmlElement } from './xml.ts';

/**
 * The AIP's preservation metadata as a PREMIS 3.0 document (http://www.loc.gov/premis/v3): one
 * `object` per file, one `event` per preservation event, one `agent` per distinct agent. Element
 * order follows the PREMIS 3.0 schema. Objects, events and agents are sorted, so the same data in
 * any order gives the same bytes.
 */

export const PREMIS_NAMESPACE = 'http://www.loc.gov/premis/v3';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
const PREMIS_SCHEMA = 'https://www.loc.gov/standards/premis/premis.xsd';

/** Labels from the Library of Congress PREMIS eventType vocabulary (id.loc.gov/vocabulary/preservation/eventType). */
export type PremisEventType =
  | 'accession'
  | 'capture'
  | 'creation'
  | 'deletion'
  | 'fixity check'
  | 'format identification'
  | 'information package creation'
  | 'ingestion'
  | 'message digest calculation'
  | 'metadata extraction'
  | 'migration'
  | 'normalization'
  | 'replication'
  | 'validation'
  | 'virus check'
  // Any other label, still accepted; the union is there for completion and typo-spotting.
  | (string & {});

export interface PreservationEvent {
  eventIdentifier: string;
  eventType: PremisEventType;
  /** ISO 8601 date-time. */
  eventDateTime: string;
  eventDetail: string;
  outcome: 'success' | 'failure' | 'warning';
  outcomeDetail?: string;
  agent: { name: string; version?: string; type: 'software' | 'person' | 'organization' };
  objects: { identifier: string; role: 'source' | 'outcome' }[];
}

export interface PremisObject {
  identifier: string;
  originalName: string;
  size: number;
  sha256: string;
  sm3: string;
  formatName: string;
  /** PRONOM unique identifier, e.g. fmt/354. */
  puid?: string | null;
}

/**
 * The package as a whole (a PREMIS representation object), with its relationships to other packages:
 * e.g. `{ type: 'derivation', subType: 'is new version of', relatedIdentifier: <earlier bag> }`.
 */
export interface PremisRepresentation {
  identifier: string;
  relationships: { type: string; subType: string; relatedIdentifier: string }[];
}

const LOCAL = 'local';

function required(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new XmlValueError(`PREMIS ${what}: missing`);
  return value;
}

function agentIdentifier(agent: PreservationEvent['agent']): string {
  return agent.version ? `${agent.name}/${agent.version}` : agent.name;
}

function assertUnique(values: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (seen.has(v)) throw new XmlValueError(`PREMIS ${what} "${v}" appears twice`);
    seen.add(v);
  }
}

function identifier(prefix: string, value: string): XmlElement {
  return el(`${prefix}Identifier`, [el(`${prefix}IdentifierType`, LOCAL), el(`${prefix}IdentifierValue`, value)]);
}

function fixity(algorithm: string, value: string): XmlElement {
  return el('fixity', [el('messageDigestAlgorithm', algorithm), el('messageDigest', value.toLowerCase())]);
}

function objectElement(object: PremisObject, eventIds: readonly string[]): XmlElement {
  required(object.identifier, 'object identifier');
  if (!Number.isSafeInteger(object.size) || object.size < 0) throw new XmlValueError(`PREMIS object "${object.identifier}": size ${object.size} is not a non-negative integer`);
  const format: XmlElement[] = [el('formatDesignation', [el('formatName', required(object.formatName, `object "${object.identifier}" formatName`))])];
  if (object.puid) {
    format.push(
      el('formatRegistry', [el('formatRegistryName', 'PRONOM'), el('formatRegistryKey', object.puid), el('formatRegistryRole', 'specification')]),
    );
  }
  return el(
    'object',
    [
      identifier('object', object.identifier),
      el('objectCharacteristics', [
        el('compositionLevel', '0'),
        fixity('SHA-256', required(object.sha256, `object "${object.identifier}" sha256`)),
        fixity('SM3', required(object.sm3, `object "${object.identifier}" sm3`)),
        el('size', String(object.size)),
        el('format', format),
      ]),
      el('originalName', required(object.originalName, `object "${object.identifier}" originalName`)),
      ...eventIds.map((id) => identifier('linkingEvent', id)),
    ],
    [['xsi:type', 'file']],
  );
}

// Schema order for a representation: objectIdentifier … relationship*, linkingEventIdentifier*.
function representationElement(representation: PremisRepresentation, eventIds: readonly string[]): XmlElement {
  required(representation.identifier, 'representation identifier');
  return el(
    'object',
    [
      identifier('object', representation.identifier),
      ...representation.relationships.map((r) =>
        el('relationship', [
          el('relationshipType', required(r.type, 'relationshipType')),
          el('relationshipSubType', required(r.subType, 'relationshipSubType')),
          el('relatedObjectIdentifier', [el('relatedObjectIdentifierType', LOCAL), el('relatedObjectIdentifierValue', required(r.relatedIdentifier, 'relatedObjectIdentifier'))]),
        ]),
      ),
      ...eventIds.map((id) => identifier('linkingEvent', id)),
    ],
    [['xsi:type', 'representation']],
  );
}

function eventElement(event: PreservationEvent): XmlElement {
  const outcome: XmlElement[] = [el('eventOutcome', event.outcome)];
  if (event.outcomeDetail !== undefined && event.outcomeDetail !== '') {
    outcome.push(el('eventOutcomeDetail', [el('eventOutcomeDetailNote', event.outcomeDetail)]));
  }
  const links = [...event.objects].sort((a, b) => compareCodePoints(a.identifier, b.identifier) || compareCodePoints(a.role, b.role));
  return el('event', [
    identifier('event', event.eventIdentifier),
    el('eventType', required(event.eventType, `event "${event.eventIdentifier}" eventType`)),
    el('eventDateTime', required(event.eventDateTime, `event "${event.eventIdentifier}" eventDateTime`)),
    el('eventDetailInformation', [el('eventDetail', event.eventDetail)]),
    el('eventOutcomeInformation', outcome),
    el('linkingAgentIdentifier', [
      el('linkingAgentIdentifierType', LOCAL),
      el('linkingAgentIdentifierValue', agentIdentifier(event.agent)),
      // Library of Congress eventRelatedAgentRole vocabulary.
      el('linkingAgentRole', event.agent.type === 'software' ? 'executing program' : 'implementer'),
    ]),
    ...links.map((link) =>
      el('linkingObjectIdentifier', [
        el('linkingObjectIdentifierType', LOCAL),
        el('linkingObjectIdentifierValue', link.identifier),
        el('linkingObjectRole', link.role),
      ]),
    ),
  ]);
}

function agentElement(agent: PreservationEvent['agent']): XmlElement {
  return el('agent', [
    identifier('agent', agentIdentifier(agent)),
    el('agentName', agent.name),
    el('agentType', agent.type),
    ...(agent.version ? [el('agentVersion', agent.version)] : []),
  ]);
}

// Only ISO 8601 date-times with an explicit offset name an instant: Date.parse alone would read
// "sometime in 2024" as a date and a date-time without offset in the machine's time zone.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

function instant(dateTime: string): number {
  return ISO_INSTANT.test(dateTime) ? Date.parse(dateTime) : Number.NaN;
}

/**
 * Chronological where the date-times parse (offsets differ: string order would lie), those that
 * do not parse after them in code-point order. A total order, so sorting is deterministic.
 */
function compareDateTimes(a: string, b: string): number {
  const ta = instant(a);
  const tb = instant(b);
  const fa = Number.isFinite(ta);
  const fb = Number.isFinite(tb);
  if (fa && fb && ta !== tb) return ta - tb;
  if (fa !== fb) return fa ? -1 : 1;
  return compareCodePoints(a, b);
}

const OUTCOMES = new Set(['success', 'failure', 'warning']);
const AGENT_TYPES = new Set(['software', 'person', 'organization']);

/** `options.representation`: the package itself, described before its files (with how it relates to other packages). */
export function toPremisXml(events: readonly PreservationEvent[], objects: readonly PremisObject[], options: { representation?: PremisRepresentation } = {}): string {
  // The PREMIS schema wants at least one object in a premis document.
  if (objects.length === 0) throw new XmlValueError('PREMIS: at least one object is needed');
  for (const event of events) {
    required(event.eventIdentifier, 'eventIdentifier');
    if (!OUTCOMES.has(event.outcome)) throw new XmlValueError(`PREMIS event "${event.eventIdentifier}": outcome "${event.outcome}"`);
    required(event.agent?.name, `event "${event.eventIdentifier}" agent name`);
    if (!AGENT_TYPES.has(event.agent.type)) throw new XmlValueError(`PREMIS event "${event.eventIdentifier}": agent type "${event.agent.type}"`);
  }
  assertUnique(events.map((e) => e.eventIdentifier), 'eventIdentifier');
  assertUnique([...objects.map((o) => o.identifier), ...(options.representation ? [options.representation.identifier] : [])], 'object identifier');

  const sortedEvents = [...events].sort((a, b) => compareDateTimes(a.eventDateTime, b.eventDateTime) || compareCodePoints(a.eventIdentifier, b.eventIdentifier));
  const sortedObjects = [...objects].sort((a, b) => compareCodePoints(a.identifier, b.identifier));

  const agents = new Map<string, PreservationEvent['agent']>();
  for (const event of sortedEvents) {
    const id = agentIdentifier(event.agent);
    const known = agents.get(id);
    if (known && known.type !== event.agent.type) throw new XmlValueError(`PREMIS agent "${id}" is given as both ${known.type} and ${event.agent.type}`);
    agents.set(id, event.agent);
  }
  const sortedAgents = [...agents.entries()].sort(([a], [b]) => compareCodePoints(a, b)).map(([, agent]) => agent);

  const eventsOf = (objectId: string): string[] =>
    sortedEvents.filter((e) => e.objects.some((o) => o.identifier === objectId)).map((e) => e.eventIdentifier);

  const root = el(
    'premis',
    [
      ...(options.representation ? [representationElement(options.representation, eventsOf(options.representation.identifier))] : []),
      ...sortedObjects.map((o) => objectElement(o, eventsOf(o.identifier))),
      ...sortedEvents.map(eventElement),
      ...sortedAgents.map(agentElement),
    ],
    [
      ['xmlns', PREMIS_NAMESPACE],
      ['xmlns:xsi', XSI_NAMESPACE],
      ['xsi:schemaLocation', `${PREMIS_NAMESPACE} ${PREMIS_SCHEMA}`],
      ['version', '3.0'],
    ],
  );
  return renderDocument(root);
}
