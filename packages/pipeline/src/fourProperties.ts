/**
 * The four properties checked at filing (DA/T 70-2018, GB/T 18894-2016): 真实性 authenticity,
 * 完整性 integrity, 可用性 usability, 安全性 security. Check items are coded n-m as the standard
 * numbers them (n = 1 … 4). Pure: the validate stage gathers the facts, this judges them.
 */

export type Property = '真实性' | '完整性' | '可用性' | '安全性';

export interface CheckItem {
  code: string;
  property: Property;
  name: string;
  result: 'pass' | 'fail' | 'not-applicable';
  detail: string;
}

export interface FourPropertiesReport {
  passed: boolean;
  items: CheckItem[];
}

export interface FourPropertiesInput {
  declaredComponents: number;
  workflowSteps: number;
  securityLevel: string;
  openSecurityLevels: readonly string[];
  components: {
    ordinal: number;
    declaredSha256: string | null;
    declaredSize: number | null;
    sha256: string | null;
    size: number | null;
    findings: { code: string; severity: string; message: string }[];
  }[];
  preservation: {
    ordinal: number;
    target: string | null;
    formatName: string;
    technical: { pageCount?: number; pdfaClaim?: string; durationSeconds?: number; imageWidth?: number; encrypted?: boolean };
    findings: { code: string; severity: string; message: string }[];
  }[];
  referenceCode: string | null;
  referenceCodeWellFormed: boolean;
  referenceCodeHolders: number;
  itemNumbersInClass: number[];
  /** Numbers of the class voided (作废) after a re-classification: used, never reissued, so they count. */
  voidedItemNumbersInClass?: number[];
  missingMetadata: string[];
  acceptedFormat: (formatName: string) => boolean;
}

function item(code: string, property: Property, name: string, failures: string[], ok: string, applicable = true): CheckItem {
  if (!applicable) return { code, property, name, result: 'not-applicable', detail: ok };
  return failures.length === 0 ? { code, property, name, result: 'pass', detail: ok } : { code, property, name, result: 'fail', detail: failures.join('；') };
}

const isPdf = (formatName: string) => formatName === 'PDF' || formatName.startsWith('PDF/A');
const MEDIA = new Set(['WAV', 'MP3', 'MP4']);
const IMAGES = new Set(['JPEG', 'PNG', 'TIFF']);

export function assessFourProperties(input: FourPropertiesInput): FourPropertiesReport {
  const c = input.components;
  const p = input.preservation;
  const items: CheckItem[] = [
    item(
      '1-1',
      '真实性',
      '数字摘要与来源系统一致',
      c.filter((x) => x.declaredSha256 && x.declaredSha256 !== x.sha256).map((x) => `组件${x.ordinal}的SHA-256与OA提供的不一致`),
      '有摘要的组件均与OA提供的SHA-256一致',
      c.some((x) => x.declaredSha256),
    ),
    item(
      '1-2',
      '真实性',
      '文件属性与元数据一致',
      [
        ...c.filter((x) => x.declaredSize !== null && x.declaredSize !== x.size).map((x) => `组件${x.ordinal}大小${x.size}字节，OA声明${x.declaredSize}`),
        ...c.flatMap((x) => x.findings.filter((f) => f.code === 'extension-mismatch' || f.code === 'media-type-mismatch').map((f) => `组件${x.ordinal}：${f.message}`)),
      ],
      '文件大小、扩展名、媒体类型与元数据相符',
    ),
    item(
      '1-3',
      '真实性',
      '档号规范且唯一',
      [
        ...(input.referenceCode === null ? ['未分配档号'] : []),
        ...(input.referenceCode !== null && !input.referenceCodeWellFormed ? [`档号${input.referenceCode}不符合编制规则`] : []),
        ...(input.referenceCodeHolders > 1 ? [`档号${input.referenceCode}被${input.referenceCodeHolders}件文件使用`] : []),
      ],
      `档号${input.referenceCode ?? ''}符合编制规则且唯一`,
    ),
    item(
      '2-1',
      '完整性',
      '组件齐全',
      [
        ...(c.length !== input.declaredComponents ? [`OA列出${input.declaredComponents}个组件，收到${c.length}个`] : []),
        ...c.filter((x) => !x.sha256).map((x) => `组件${x.ordinal}未获取`),
        ...c.filter((x) => !p.some((y) => y.ordinal === x.ordinal)).map((x) => `组件${x.ordinal}没有长期保存副本`),
      ],
      `${c.length}个组件均已获取并有长期保存副本`,
    ),
    item('2-2', '完整性', '必填元数据齐全', input.missingMetadata.length ? [`缺少：${input.missingMetadata.join('、')}`] : [], 'DA/T 46必填元数据齐全'),
    item('2-3', '完整性', '办理过程记录齐全', input.workflowSteps > 0 ? [] : ['没有流程办理记录'], `流程记录${input.workflowSteps}步`),
    item(
      '2-4',
      '完整性',
      '件号连续',
      (() => {
        const sorted = [...input.itemNumbersInClass, ...(input.voidedItemNumbersInClass ?? [])].sort((a, b) => a - b);
        const gaps = sorted.filter((n, i) => n !== i + 1);
        return gaps.length ? [`同一分类内件号不连续（应为1至${sorted.length}）`] : [];
      })(),
      `同一分类内件号1至${input.itemNumbersInClass.length + (input.voidedItemNumbersInClass?.length ?? 0)}连续${input.voidedItemNumbersInClass?.length ? `（含作废${input.voidedItemNumbersInClass.length}个）` : ''}`,
    ),
    item('3-1', '可用性', '长期保存格式', p.filter((x) => !input.acceptedFormat(x.formatName)).map((x) => `组件${x.ordinal}的保存副本为${x.formatName}，不在可接受格式之列`), '保存副本均为可接受的长期保存格式'),
    item(
      '3-2',
      '可用性',
      'PDF/A声明',
      p.filter((x) => x.target?.startsWith('PDF/A') && !(x.technical.pdfaClaim ?? '').toLowerCase().startsWith(x.target.slice(0, 7).toLowerCase())).map((x) => `组件${x.ordinal}应为${x.target}，文件声明${x.technical.pdfaClaim ?? '无'}`),
      '转换所得PDF/A文件均声明相应标准',
      p.some((x) => x.target?.startsWith('PDF/A')),
    ),
    item(
      '3-3',
      '可用性',
      '文件可打开',
      p.flatMap((x) => {
        if (isPdf(x.formatName) && !(Number(x.technical.pageCount) > 0)) return [`组件${x.ordinal}页数为0或无法读取`];
        if (MEDIA.has(x.formatName) && !(Number(x.technical.durationSeconds) > 0)) return [`组件${x.ordinal}音视频无法解码时长`];
        if (IMAGES.has(x.formatName) && !(Number(x.technical.imageWidth) > 0)) return [`组件${x.ordinal}图像无法读取尺寸`];
        return x.findings.filter((f) => f.code === 'corrupt').map((f) => `组件${x.ordinal}：${f.message}`);
      }),
      '保存副本均可打开（页数、时长、图像尺寸可读）',
    ),
    item(
      '4-1',
      '安全性',
      '保存副本无加密、宏或活动内容',
      p.flatMap((x) => [...(x.technical.encrypted ? [`组件${x.ordinal}加密`] : []), ...x.findings.filter((f) => f.severity === 'unsafe').map((f) => `组件${x.ordinal}：${f.message}`)]),
      '保存副本无加密、宏、脚本或嵌入文件',
    ),
    item('4-2', '安全性', '非涉密', input.openSecurityLevels.includes(input.securityLevel) ? [] : [`密级为${input.securityLevel}`], `密级为${input.securityLevel}`),
  ];
  return { passed: items.every((i) => i.result !== 'fail'), items };
}
