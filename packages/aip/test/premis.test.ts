import { describe, expect, it } from 'vitest';
import { PREMIS_NAMESPACE, toPremisXml, XmlValueError } from '../src/index.ts';
import { PREMIS_EVENTS, PREMIS_OBJECTS } from './fixtures.ts';
import { child, children, parseXml, textAt, type XNode } from './xmlCheck.ts';

const identifierOf = (node: XNode, kind: string) => textAt(node, `${kind}Identifier`, `${kind}IdentifierValue`);

describe('toPremisXml', () => {
  const xml = toPremisXml(PREMIS_EVENTS, PREMIS_OBJECTS);
  const { root } = parseXml(xml);

  it('writes a well-formed PREMIS 3.0 document', () => {
    expect(root.name).toBe('premis');
    expect(root.attributes).toEqual({
      xmlns: PREMIS_NAMESPACE,
      'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
      'xsi:schemaLocation': 'http://www.loc.gov/premis/v3 https://www.loc.gov/standards/premis/premis.xsd',
      version: '3.0',
    });
    expect(PREMIS_NAMESPACE).toBe('http://www.loc.gov/premis/v3');
    // Schema order: every object, then every event, then every agent.
    expect(root.children.map((c) => c.name)).toEqual(['object', 'object', 'event', 'event', 'event', 'event', 'agent', 'agent', 'agent']);
  });

  it('describes each file with identifier, both fixities, size, format and original name, in schema order', () => {
    const [pdf, xlsx] = children(root, 'object');
    expect(pdf!.attributes['xsi:type']).toBe('file');
    expect(pdf!.children.map((c) => c.name)).toEqual([
      'objectIdentifier',
      'objectCharacteristics',
      'originalName',
      'linkingEventIdentifier',
      'linkingEventIdentifier',
      'linkingEventIdentifier',
    ]);
    expect(textAt(pdf!, 'objectIdentifier', 'objectIdentifierType')).toBe('local');
    expect(identifierOf(pdf!, 'object')).toBe('data/正文.pdf');
    const characteristics = child(pdf!, 'objectCharacteristics');
    expect(characteristics.children.map((c) => c.name)).toEqual(['compositionLevel', 'fixity', 'fixity', 'size', 'format']);
    expect(children(characteristics, 'fixity').map((f) => [textAt(f, 'messageDigestAlgorithm'), textAt(f, 'messageDigest')])).toEqual([
      ['SHA-256', PREMIS_OBJECTS[0]!.sha256],
      ['SM3', PREMIS_OBJECTS[0]!.sm3],
    ]);
    expect(textAt(characteristics, 'size')).toBe('20480');
    expect(textAt(characteristics, 'format', 'formatDesignation', 'formatName')).toBe('Acrobat PDF/A - Portable Document Format');
    expect(textAt(characteristics, 'format', 'formatRegistry', 'formatRegistryName')).toBe('PRONOM');
    expect(textAt(characteristics, 'format', 'formatRegistry', 'formatRegistryKey')).toBe('fmt/477');
    expect(textAt(pdf!, 'originalName')).toBe('关于<值班>的通知 & "正文".pdf');
    expect(children(pdf!, 'linkingEventIdentifier').map((l) => textAt(l, 'linkingEventIdentifierValue'))).toEqual(['evt-1', 'evt-2', 'evt-3']);

    expect(identifierOf(xlsx!, 'object')).toBe('data/附件1.xlsx');
    expect(children(child(child(xlsx!, 'objectCharacteristics'), 'format'), 'formatRegistry')).toEqual([]);
  });

  it('escapes the original name', () => {
    expect(xml).toContain('<originalName>关于&lt;值班&gt;的通知 &amp; "正文".pdf</originalName>');
  });

  it('writes events in time order with detail, outcome, agent and object links', () => {
    const events = children(root, 'event');
    expect(events.map((e) => identifierOf(e, 'event'))).toEqual(['evt-1', 'evt-2', 'evt-3', 'evt-4']);
    const fixity = events[1]!;
    expect(fixity.children.map((c) => c.name)).toEqual([
      'eventIdentifier',
      'eventType',
      'eventDateTime',
      'eventDetailInformation',
      'eventOutcomeInformation',
      'linkingAgentIdentifier',
      'linkingObjectIdentifier',
    ]);
    expect(textAt(fixity, 'eventType')).toBe('fixity check');
    expect(textAt(fixity, 'eventDateTime')).toBe('2024-01-09T08:00:01Z');
    expect(textAt(fixity, 'eventDetailInformation', 'eventDetail')).toBe('SHA-256 and SM3 computed while streaming');
    expect(textAt(fixity, 'eventOutcomeInformation', 'eventOutcome')).toBe('warning');
    expect(textAt(fixity, 'eventOutcomeInformation', 'eventOutcomeDetail', 'eventOutcomeDetailNote')).toBe('the OA declared no digest to compare <none>');
    expect(textAt(fixity, 'linkingAgentIdentifier', 'linkingAgentIdentifierValue')).toBe('oa-archive ingest/0.1.0');
    expect(textAt(fixity, 'linkingAgentIdentifier', 'linkingAgentRole')).toBe('executing program');
    expect(textAt(fixity, 'linkingObjectIdentifier', 'linkingObjectRole')).toBe('source');

    expect(children(child(events[0]!, 'eventOutcomeInformation'), 'eventOutcomeDetail')).toEqual([]);
    expect(children(events[2]!, 'linkingObjectIdentifier').map((l) => textAt(l, 'linkingObjectIdentifierValue'))).toEqual(['data/正文.pdf', 'data/附件1.xlsx']);
    expect(textAt(events[3]!, 'linkingAgentIdentifier', 'linkingAgentRole')).toBe('implementer');
  });

  it('writes each distinct agent once', () => {
    const agents = children(root, 'agent');
    expect(agents.map((a) => [identifierOf(a, 'agent'), textAt(a, 'agentName'), textAt(a, 'agentType')])).toEqual([
      ['oa-archive characterize/0.1.0', 'oa-archive characterize', 'software'],
      ['oa-archive ingest/0.1.0', 'oa-archive ingest', 'software'],
      ['王五', '王五', 'person'],
    ]);
    expect(textAt(agents[0]!, 'agentVersion')).toBe('0.1.0');
    expect(children(agents[2]!, 'agentVersion')).toEqual([]);
  });

  it('gives the same bytes whatever the order of events and objects', () => {
    expect(toPremisXml([...PREMIS_EVENTS].reverse(), [...PREMIS_OBJECTS].reverse())).toBe(xml);
  });

  it('orders events by instant, not by the text of differently offset date-times', () => {
    const at = (eventIdentifier: string, eventDateTime: string) => ({ ...PREMIS_EVENTS[0]!, eventIdentifier, eventDateTime });
    const events = [at('utc', '2024-01-09T08:00:00Z'), at('beijing', '2024-01-09T09:00:00+08:00'), at('unparsed', 'sometime in 2024')];
    const order = children(parseXml(toPremisXml(events, PREMIS_OBJECTS)).root, 'event').map((e) => identifierOf(e, 'event'));
    expect(order).toEqual(['beijing', 'utc', 'unparsed']);
  });

  it('refuses duplicates, no objects, unknown outcomes and one agent with two types', () => {
    expect(() => toPremisXml([PREMIS_EVENTS[0]!, PREMIS_EVENTS[0]!], PREMIS_OBJECTS)).toThrow(/twice/);
    expect(() => toPremisXml(PREMIS_EVENTS, [PREMIS_OBJECTS[0]!, PREMIS_OBJECTS[0]!])).toThrow(/twice/);
    expect(() => toPremisXml(PREMIS_EVENTS, [])).toThrow(/at least one object/);
    expect(() => toPremisXml([{ ...PREMIS_EVENTS[0]!, outcome: 'ok' as 'success' }], PREMIS_OBJECTS)).toThrow(XmlValueError);
    const asPerson = { ...PREMIS_EVENTS[1]!, eventIdentifier: 'evt-9', agent: { ...PREMIS_EVENTS[1]!.agent, type: 'person' as const } };
    expect(() => toPremisXml([...PREMIS_EVENTS, asPerson], PREMIS_OBJECTS)).toThrow(/both/);
  });
});

describe('toPremisXml: a package that is a new version of another', () => {
  const versionEvent = {
    eventIdentifier: 'evt-version',
    eventType: 'information package creation',
    eventDateTime: '2025-03-14T10:00:00+08:00',
    eventDetail: '第2版，为第1版的新版本',
    outcome: 'success' as const,
    agent: { name: 'oa-archive package', type: 'software' as const },
    objects: [
      { identifier: 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001', role: 'source' as const },
      { identifier: 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001.v2', role: 'outcome' as const },
    ],
  };
  const representation = {
    identifier: 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001.v2',
    relationships: [{ type: 'derivation', subType: 'is new version of', relatedIdentifier: 'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001' }],
  };
  const { root } = parseXml(toPremisXml([...PREMIS_EVENTS, versionEvent], PREMIS_OBJECTS, { representation }));

  it('describes the package first, as a representation, with the relationship and the event that links them, in schema order', () => {
    const [package_, ...files] = children(root, 'object');
    expect(package_!.attributes['xsi:type']).toBe('representation');
    expect(files.every((f) => f.attributes['xsi:type'] === 'file')).toBe(true);
    expect(package_!.children.map((c) => c.name)).toEqual(['objectIdentifier', 'relationship', 'linkingEventIdentifier']);
    expect(identifierOf(package_!, 'object')).toBe(representation.identifier);
    const relationship = child(package_!, 'relationship');
    expect(relationship.children.map((c) => c.name)).toEqual(['relationshipType', 'relationshipSubType', 'relatedObjectIdentifier']);
    expect([textAt(relationship, 'relationshipType'), textAt(relationship, 'relationshipSubType'), textAt(relationship, 'relatedObjectIdentifier', 'relatedObjectIdentifierValue')]).toEqual([
      'derivation',
      'is new version of',
      'A182/2025/WS/Y/A182-WS·2025-Y-BGS-0001',
    ]);
    expect(textAt(package_!, 'linkingEventIdentifier', 'linkingEventIdentifierValue')).toBe('evt-version');
  });

  it('refuses a package identifier that is also a file identifier', () => {
    expect(() => toPremisXml(PREMIS_EVENTS, PREMIS_OBJECTS, { representation: { identifier: PREMIS_OBJECTS[0]!.identifier, relationships: [] } })).toThrow(XmlValueError);
  });
});
