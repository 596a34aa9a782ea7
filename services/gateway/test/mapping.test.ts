import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { documentFinalizedDataSchema, exampleDocumentFinalizedEvent } from '@oa-archive/contracts';
import { applyMapping } from '../src/mapping/apply.ts';
import { loadMapping, parseMapping } from '../src/mapping/schema.ts';
import { toDateTime } from '../src/mapping/values.ts';
import { decodeJson, decodeXml } from '../src/payload.ts';
import { YamlConfigError } from '../src/yamlConfig.ts';

const mappings = path.join(import.meta.dirname, '..', 'mappings');
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name));

describe('shipped mappings', () => {
  it('the canonical mapping reproduces the contract example exactly', async () => {
    const mapping = await loadMapping(path.join(mappings, 'canonical.yaml'));
    const mapped = applyMapping(mapping, exampleDocumentFinalizedEvent.data);
    expect(mapped.issues).toEqual([]);
    expect(documentFinalizedDataSchema.parse(mapped.data)).toEqual(documentFinalizedDataSchema.parse(exampleDocumentFinalizedEvent.data));
  });

  it('the nested JSON push becomes canonical data: names, dates, order, roles and md5 translated', async () => {
    const mapping = await loadMapping(path.join(mappings, 'oa-json-nested.yaml'));
    const mapped = applyMapping(mapping, decodeJson(fixture('oa-json-push.json')));
    expect(mapped.issues).toEqual([]);
    const data = documentFinalizedDataSchema.parse(mapped.data);
    expect(data).toMatchObject({
      documentId: 'FW-2025-0137',
      version: 1,
      title: '关于做好2025年度档案移交工作的通知',
      documentNumber: '示政办发〔2025〕12号',
      issuer: { name: '示范市人民政府办公室', relation: '本机关' },
      dates: { created: '2025-03-10T10:02:00+08:00', signed: '2025-03-13T00:00:00+08:00', finalized: '2025-03-14T09:30:00+08:00' },
      securityLevel: '公开',
      urgency: '普通',
      workflow: { id: 'WF-88231', type: '发文' },
    });
    // Sorted by the OA's order numbers, not by their place in the payload.
    expect(data.components.map((c) => [c.role, c.fileName])).toEqual([
      ['正文', '关于做好2025年度档案移交工作的通知.pdf'],
      ['附件', '附件1：移交清单.docx'],
      ['发文稿纸', '发文稿纸.pdf'],
    ]);
    expect(data.workflow.steps.map((s) => s.step)).toEqual(['拟稿', '审核', '签发']);
    // An empty opinion is "not given".
    expect(data.workflow.steps[0]).not.toHaveProperty('opinion');
    expect(data.extra).toEqual({
      拟稿人: '王芳',
      主送机关: '各区人民政府，市政府各部门',
      componentMd5: ['92eb5ffee6ae2fec3ad71c777531578f', '0cc175b9c0f1b6a831c399e269772661', '4a8a08f09d37b73795649038408b5f33'],
    });
  });

  it('the XML push becomes canonical data: attributes, single elements, Chinese dates, entities', async () => {
    const mapping = await loadMapping(path.join(mappings, 'oa-xml.yaml'));
    const mapped = applyMapping(mapping, decodeXml(fixture('oa-xml-push.xml')));
    expect(mapped.issues).toEqual([]);
    const data = documentFinalizedDataSchema.parse(mapped.data);
    expect(data).toMatchObject({
      documentId: 'QS-2025-0042',
      documentNumber: '示政办请〔2025〕42号',
      issuer: { name: '示范市人民政府办公室', relation: '本机关' },
      departmentCode: 'XXZX',
      dates: { created: '2025-04-01T09:00:00+08:00', signed: '2025-04-03T00:00:00+08:00', finalized: '2025-04-03T17:20:00+08:00' },
      workflow: { id: 'WF-90417', type: '签报' },
      extra: { 全宗号: 'A182' },
    });
    expect(data).not.toHaveProperty('distribution');
    expect(data.workflow.steps[1]!.opinion).toBe('同意，请领导审定 & 签发');
    expect(data.components.map((c) => [c.role, c.size])).toEqual([
      ['正文', 30311],
      ['附件', 8704],
    ]);
  });
});

describe('mapping problems name the OA field', () => {
  it('reports a value that cannot be converted and a missing field with where they came from', async () => {
    const mapping = await loadMapping(path.join(mappings, 'oa-json-nested.yaml'));
    const payload = decodeJson(fixture('oa-json-push.json')) as { 公文: Record<string, unknown> & { files: Record<string, unknown>[] } };
    payload.公文.办结时间 = '2025-02-30 10:00';
    payload.公文.files[0]!.size = 'large';
    payload.公文.files[1]!.md5 = 'not-an-md5';
    const mapped = applyMapping(mapping, payload);
    expect(mapped.issues).toEqual([
      { path: 'dates.finalized', sourceField: '办结时间', message: '"2025-02-30 10:00" is not a date of the calendar' },
      // files[1] of the payload is order 2: the second component.
      { path: 'components.1.size', sourceField: 'files[1].size', message: '"large" is not a whole number' },
      { path: 'components.0.md5', sourceField: 'files[2].md5', message: 'md5 must be 32 hexadecimal characters' },
    ]);
  });

  it('reads the date forms OA systems send', () => {
    const cases: [string, string][] = [
      ['2025-03-14T09:30:12+08:00', '2025-03-14T09:30:12+08:00'],
      ['2025-03-14T01:30:12Z', '2025-03-14T01:30:12Z'],
      ['2025-03-14 09:30', '2025-03-14T09:30:00+08:00'],
      ['2025/3/4 9:05:07', '2025-03-04T09:05:07+08:00'],
      ['20250314', '2025-03-14T00:00:00+08:00'],
      ['2025年3月4日', '2025-03-04T00:00:00+08:00'],
      ['2024-02-29', '2024-02-29T00:00:00+08:00'],
    ];
    for (const [raw, iso] of cases) expect(toDateTime(raw, '+08:00')).toEqual({ ok: true, value: iso });
    for (const raw of ['2025-02-29', '2025-13-01', '14/03/2025', '2025-03-14 24:00']) expect(toDateTime(raw, '+08:00').ok).toBe(false);
  });
});

describe('mapping files are validated with line and field', () => {
  const valid = readFileSync(path.join(mappings, 'oa-json-nested.yaml'), 'utf8');

  it('names the line of an unknown target, a typo in a key and a missing required field', () => {
    const broken = valid
      .replace('  title: 标题\n', '  titel: 标题\n')
      .replace('  departmentCode: 部门代码\n', '')
      .replace('sortBy: order', 'sortby: order');
    const lines = broken.split('\n');
    const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;
    let error: YamlConfigError | undefined;
    try {
      parseMapping(broken, 'oa.yaml');
    } catch (e) {
      error = e as YamlConfigError;
    }
    expect(error).toBeInstanceOf(YamlConfigError);
    expect(error!.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^oa\\.yaml:${lineOf('sortby: order')}:\\d+ fields\\.components: Unrecognized key: "sortby"`)),
      ]),
    );
    // Zod's problems come first; the cross-field ones need a schema-valid file.
    const fixedKey = broken.replace('sortby: order', 'sortBy: order');
    let semantic: YamlConfigError | undefined;
    try {
      parseMapping(fixedKey, 'oa.yaml');
    } catch (e) {
      semantic = e as YamlConfigError;
    }
    expect(semantic!.problems).toEqual([
      expect.stringMatching(new RegExp(`^oa\\.yaml:${lineOf('titel: 标题')}:\\d+ fields\\.titel: "titel" is not a field of the contract`)),
      expect.stringMatching(/^oa\.yaml:\d+:\d+ fields: no rule for title, which the contract requires/),
      expect.stringMatching(/^oa\.yaml:\d+:\d+ fields: no rule for departmentCode, which the contract requires/),
    ]);
  });

  it('refuses a rule that gives both a path and a constant, and a list target without each', () => {
    const broken = valid.replace('  documentType: 文种\n', '  documentType: { from: 文种, value: 通知 }\n').replace(/ {2}workflow\.steps:\n {4}each: 流程\.办理记录\n/, '  workflow.steps:\n    from: 流程.办理记录\n');
    expect(() => parseMapping(broken, 'oa.yaml')).toThrow(/fields\.documentType: give either `from`/);
    try {
      parseMapping(broken, 'oa.yaml');
    } catch (error) {
      expect((error as YamlConfigError).problems.some((p) => /fields\.workflow\.steps/.test(p))).toBe(true);
    }
  });

  it('reports YAML syntax errors with their line', () => {
    expect(() => parseMapping('schema: oa-archive/gateway-mapping@1\nfields:\n  title: [unclosed\n', 'bad.yaml')).toThrow(/bad\.yaml:\d+:\d+/);
  });
});
