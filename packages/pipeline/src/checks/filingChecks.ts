import { checkElementValues } from './elementRules.ts';
import { staleSignatureProblems } from './signatureAge.ts';

/**
 * The filing-stage (归档环节, GD) check list of DA/T 70-2018, item by item, as public
 * implementations code it: GD-1 真实性, GD-2 完整性, GD-3 可用性, GD-4 安全性. Every item is in the
 * report: checked where the facts allow, else `not-applicable` with the reason. A failed `blocking`
 * item sends the document to review; a failed non-blocking item is recorded and shown. Pure: the
 * validate stage gathers the facts, this judges them.
 */

export type Property = '真实性' | '完整性' | '可用性' | '安全性';

export interface CheckItem {
  /** GD-n-m as DA/T 70 implementations number the filing-stage items. */
  code: string;
  property: Property;
  name: string;
  /** `not-checked`: the check applies but was switched off (CLAMAV_MODE=off): not a pass, never blocking. */
  result: 'pass' | 'fail' | 'not-applicable' | 'not-checked';
  /** Why it passed, failed or does not apply: one line a records officer reads. */
  detail: string;
  /** A failure sends the document to review. */
  blocking: boolean;
  /** The code this check had before the GD list (1-1 … 4-2), where it continues one. */
  formerCode?: string;
}

export interface FourPropertiesReport {
  /** The check list this report follows. */
  standard: 'DA/T 70-2018 归档环节';
  passed: boolean;
  items: CheckItem[];
}

interface Finding {
  code: string;
  severity: string;
  message: string;
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
    findings: Finding[];
    /** Electronic signatures and seals found in the component (OFD) and how their verification went. */
    signatures?: SignatureCheck[];
  }[];
  preservation: {
    ordinal: number;
    target: string | null;
    formatName: string;
    technical: { pageCount?: number; pdfaClaim?: string; durationSeconds?: number; imageWidth?: number; encrypted?: boolean };
    findings: Finding[];
  }[];
  referenceCode: string | null;
  referenceCodeWellFormed: boolean;
  referenceCodeHolders: number;
  itemNumbersInClass: number[];
  /** Numbers of the class voided (作废) after a re-classification: used, never reissued, so they count. */
  voidedItemNumbersInClass?: number[];
  missingMetadata: string[];
  acceptedFormat: (formatName: string) => boolean;
  /** The DA/T 46 record as the catalog holds it (null: none was built). Absent: not gathered, items that need it do not apply. */
  metadataRecord?: unknown;
  /** OA dates (ISO 8601) and the 年度 in the 档号, for GD-1-5 合理性. */
  dates?: { created: string; signed?: string | undefined; finalized: string };
  year?: number | null;
  /** The classification that let the document in (GD-2-8 归档范围). */
  classification?: { outcome: string; ruleIds: string[]; scheduleVersion: string };
  /** Components whose bytes an already filed document holds (ordinal → its ingest id), GD-1-8. */
  filedDuplicates?: ReadonlyMap<number, string>;
  /** veraPDF on each PDF/A preservation copy (GD-3-3): whether it is configured, and its verdict per copy. Absent: not gathered. */
  pdfaValidation?: { mode: 'off' | 'on'; copies: PdfAVerdictOfCopy[] };
  /** The virus check (GD-4-1, GD-4-2): whether it is configured, and the scans recorded per component. */
  /** `at`: when each scan ran; `maxSignatureAgeDays` (0: unchecked) bounds the official database's age at that time (GD-4-1). */
  virusScan?: { mode: 'off' | 'clamd'; maxSignatureAgeDays?: number; checks: { ordinal: number; outcome: string; outcomeDetail: string | null; agentVersion: string | null; at?: string | null }[] };
}

/** veraPDF's verdict on one PDF/A copy: compliant, or the rule ids it failed (`ISO 19005-2:2011 6.1.3-1`), or why it could not read it. */
export interface PdfAVerdictOfCopy {
  ordinal: number;
  compliant: boolean;
  /** The flavour checked ('2b'): the one the file declares, else veraPDF's default. */
  flavour: string | null;
  /** Failed rule ids, as many as veraPDF listed; `failedRules` counts them all. */
  rules: string[];
  failedRules: number;
  /** veraPDF could not parse the file. */
  unreadable?: string;
}

/** As characterization records a signature or seal (see @oa-archive/characterize SignatureCheck). */
interface SignatureCheck {
  location: string;
  kind: 'seal' | 'signature';
  result: 'valid' | 'invalid' | 'unverifiable';
  problems: string[];
  reason?: string;
  signer?: string;
  sealName?: string;
  /** PDF (PAdES/CMS) signatures: the SubFilter, the signer's digest and signature algorithms, and whether they cover the whole file. */
  standard?: string;
  digestAlgorithm?: string;
  signatureAlgorithm?: string;
  coversWholeFile?: boolean;
}

type Spec = { code: string; property: Property; name: string; formerCode?: string; blocking?: boolean };

function item(spec: Spec, failures: string[], ok: string, applicable = true): CheckItem {
  const base = { code: spec.code, property: spec.property, name: spec.name, blocking: spec.blocking ?? true, ...(spec.formerCode ? { formerCode: spec.formerCode } : {}) };
  if (!applicable) return { ...base, result: 'not-applicable', detail: ok };
  return failures.length === 0 ? { ...base, result: 'pass', detail: ok } : { ...base, result: 'fail', detail: failures.join('；') };
}

const notApplicable = (spec: Spec, reason: string): CheckItem => item({ ...spec, blocking: false }, [], reason, false);
const notChecked = (spec: Spec, reason: string): CheckItem => ({ ...item({ ...spec, blocking: false }, [], reason), result: 'not-checked' });

const isPdf = (formatName: string) => formatName === 'PDF' || formatName.startsWith('PDF/A');
const MEDIA = new Set(['WAV', 'MP3', 'MP4']);
const IMAGES = new Set(['JPEG', 'PNG', 'TIFF']);
/** Characterization findings that mean content is encrypted or packed in a way the archive cannot open freely. */
const PACKED = new Set(['encrypted', 'archive', 'archive-encrypted', 'archive-nested', 'archive-too-large', 'archive-too-many-entries']);
const ACTIVE = new Set(['macros', 'pdf-javascript', 'pdf-embedded-file', 'pdf-launch-action']);

/** Packaging items are the package stage's: the AIP does not exist yet when validate runs. */
const AT_PACKAGE = '信息包在封装（package）阶段生成：BagIt清单以SHA-256和SM3覆盖每个文件，存储（deposit）写入后逐一复核摘要';

export function assessFourProperties(input: FourPropertiesInput): FourPropertiesReport {
  const c = input.components;
  const p = input.preservation;
  const record = input.metadataRecord;
  const hasRecord = record !== undefined && record !== null;
  const values = hasRecord ? checkElementValues(record) : undefined;
  const files = hasRecord ? (((record as Record<string, unknown>)['电子属性'] as { 序号?: number; 计算机文件名?: string; 计算机文件大小?: number; 数字摘要?: { 算法: string; 值: string }[] }[] | undefined) ?? []) : [];
  const declaredBytes = c.every((x) => x.declaredSize !== null) ? c.reduce((sum, x) => sum + (x.declaredSize ?? 0), 0) : null;
  const receivedBytes = c.reduce((sum, x) => sum + (x.size ?? 0), 0);
  const allNumbers = [...input.itemNumbersInClass, ...(input.voidedItemNumbersInClass ?? [])].sort((a, b) => a - b);
  const virus = input.virusScan;
  const scanned = (ordinal: number) => virus?.checks.filter((v) => v.ordinal === ordinal).at(-1);
  const engines = [...new Set((virus?.checks ?? []).map((v) => v.agentVersion).filter((v): v is string => Boolean(v)))];
  const signed = c.flatMap((x) => (x.signatures ?? []).map((s) => ({ ordinal: x.ordinal, s })));

  const items: CheckItem[] = [
    // ── GD-1 真实性 ────────────────────────────────────────────────────────────
    item(
      { code: 'GD-1-1', property: '真实性', name: '固化信息有效性（数字摘要、电子签名、电子印章、时间戳）', formerCode: '1-1' },
      [
        ...c.filter((x) => x.declaredSha256 && x.declaredSha256 !== x.sha256).map((x) => `组件${x.ordinal}的SHA-256与OA提供的不一致`),
        ...signed.filter(({ s }) => s.result === 'invalid').map(({ ordinal, s }) => `组件${ordinal}的${signatureName(s)}（${s.location}）验证失败：${s.problems.join('；')}`),
      ],
      fixityDetail(c, signed),
      c.some((x) => x.declaredSha256) || signed.length > 0,
    ),
    hasRecord
      ? item({ code: 'GD-1-2', property: '真实性', name: '元数据项数据长度' }, values!.length, `${values!.checked}个元数据值长度均在限内`)
      : notApplicable({ code: 'GD-1-2', property: '真实性', name: '元数据项数据长度' }, '未生成DA/T 46元数据记录（见GD-2-3）'),
    hasRecord
      ? item({ code: 'GD-1-3', property: '真实性', name: '元数据项数据类型和格式' }, values!.type, '日期、时间、整数、摘要值等格式正确')
      : notApplicable({ code: 'GD-1-3', property: '真实性', name: '元数据项数据类型和格式' }, '未生成DA/T 46元数据记录（见GD-2-3）'),
    hasRecord
      ? item({ code: 'GD-1-4', property: '真实性', name: '元数据项值域' }, values!.domain, '密级、紧急程度、稿本均在值域内')
      : notApplicable({ code: 'GD-1-4', property: '真实性', name: '元数据项值域' }, '未生成DA/T 46元数据记录（见GD-2-3）'),
    input.dates
      ? // Recorded and shown, not blocking: OA clocks and time zones make dates a matter for judgement.
        item({ code: 'GD-1-5', property: '真实性', name: '元数据项数据合理性', blocking: false }, plausibilityProblems(input), '形成、签发、办结日期先后合理，年度与签发日期一致，文件大小非零')
      : notApplicable({ code: 'GD-1-5', property: '真实性', name: '元数据项数据合理性' }, '未提供日期信息'),
    hasRecord
      ? item({ code: 'GD-1-6', property: '真实性', name: '元数据项特殊字符' }, values!.special, '元数据中无控制字符、无效字符，文件名无非法字符')
      : notApplicable({ code: 'GD-1-6', property: '真实性', name: '元数据项特殊字符' }, '未生成DA/T 46元数据记录（见GD-2-3）'),
    item(
      { code: 'GD-1-7', property: '真实性', name: '档号规范性', formerCode: '1-3' },
      [...(input.referenceCode === null ? ['未分配档号'] : []), ...(input.referenceCode !== null && !input.referenceCodeWellFormed ? [`档号${input.referenceCode}不符合编制规则`] : [])],
      `档号${input.referenceCode ?? ''}符合编制规则（DA/T 13）`,
    ),
    item(
      { code: 'GD-1-8', property: '真实性', name: '元数据项数据重复性', formerCode: '1-3' },
      input.referenceCodeHolders > 1 ? [`档号${input.referenceCode}被${input.referenceCodeHolders}件文件使用`] : [],
      `档号唯一${
        input.filedDuplicates?.size
          ? `；组件${[...input.filedDuplicates].map(([ordinal, other]) => `${ordinal}与已归档${other}`).join('、')}的摘要相同（部分组件重复，分类时已按重份规则处理）`
          : input.filedDuplicates
            ? '；组件摘要与已归档文件均不重复'
            : ''
      }`,
    ),
    item(
      { code: 'GD-1-9', property: '真实性', name: '内容数据的电子属性一致性', formerCode: '1-2' },
      [
        ...c.filter((x) => x.declaredSize !== null && x.declaredSize !== x.size).map((x) => `组件${x.ordinal}大小${x.size}字节，OA声明${x.declaredSize}`),
        ...c.flatMap((x) => x.findings.filter((f) => f.code === 'extension-mismatch' || f.code === 'media-type-mismatch').map((f) => `组件${x.ordinal}：${f.message}`)),
      ],
      '文件大小、扩展名、媒体类型与元数据相符',
    ),
    hasRecord
      ? item(
          { code: 'GD-1-10', property: '真实性', name: '元数据与内容关联' },
          c.flatMap((x) => {
            const file = files.find((f) => f.序号 === x.ordinal);
            if (!file) return [`元数据中没有组件${x.ordinal}的电子属性`];
            const sha = file.数字摘要?.find((d) => d.算法 === 'SHA-256')?.值;
            return [...(sha !== x.sha256 ? [`组件${x.ordinal}元数据中的SHA-256与文件不符`] : []), ...(file.计算机文件大小 !== x.size ? [`组件${x.ordinal}元数据中的文件大小与文件不符`] : [])];
          }),
          `元数据的电子属性逐一指向${c.length}个组件（序号、SHA-256、大小一致）`,
        )
      : notApplicable({ code: 'GD-1-10', property: '真实性', name: '元数据与内容关联' }, '未生成DA/T 46元数据记录（见GD-2-3）'),
    notApplicable({ code: 'GD-1-11', property: '真实性', name: '说明文件和目录文件规范性' }, AT_PACKAGE),
    notApplicable({ code: 'GD-1-12', property: '真实性', name: '信息包目录结构规范性' }, AT_PACKAGE),
    notApplicable({ code: 'GD-1-13', property: '真实性', name: '信息包一致性' }, AT_PACKAGE),

    // ── GD-2 完整性 ────────────────────────────────────────────────────────────
    item(
      { code: 'GD-2-1', property: '完整性', name: '总件数相符', formerCode: '2-1' },
      c.length !== input.declaredComponents ? [`OA列出${input.declaredComponents}个组件，收到${c.length}个`] : [],
      `OA列出${input.declaredComponents}个组件，收到${c.length}个`,
    ),
    item(
      { code: 'GD-2-2', property: '完整性', name: '总字节数相符' },
      declaredBytes !== null && declaredBytes !== receivedBytes ? [`OA声明共${declaredBytes}字节，收到${receivedBytes}字节`] : [],
      declaredBytes === null ? 'OA未声明全部组件的大小，无从比对总字节数' : `共${receivedBytes}字节，与OA声明一致`,
      declaredBytes !== null,
    ),
    hasRecord
      ? item(
          { code: 'GD-2-3', property: '完整性', name: '元数据项完整性' },
          [
            ...(files.length !== c.length ? [`元数据记录了${files.length}个文件的电子属性，实有${c.length}个组件`] : []),
            ...files.filter((f) => !['SM3', 'SHA-256'].every((alg) => f.数字摘要?.some((d) => d.算法 === alg && d.值))).map((f) => `文件${f.序号 ?? '?'}缺少SM3或SHA-256摘要`),
          ],
          `元数据记录含全部${files.length}个文件的电子属性及SM3、SHA-256摘要`,
        )
      : item({ code: 'GD-2-3', property: '完整性', name: '元数据项完整性' }, record === null ? ['没有DA/T 46元数据记录'] : [], '未取得元数据记录', record === null),
    item(
      { code: 'GD-2-4', property: '完整性', name: '必填著录项', formerCode: '2-2' },
      input.missingMetadata.length ? [`缺少：${input.missingMetadata.join('、')}`] : [],
      // Photos and recordings: their DA/T 54 / DA/T 63 elements (照片属性.… / 音视频属性.…) are in the same mandatory set.
      'DA/T 46必填著录项齐全（照片、录音录像另含DA/T 54、DA/T 63必填项）',
    ),
    item({ code: 'GD-2-5', property: '完整性', name: '过程信息完整性', formerCode: '2-3' }, input.workflowSteps > 0 ? [] : ['没有流程办理记录'], `流程记录${input.workflowSteps}步`),
    item(
      { code: 'GD-2-6', property: '完整性', name: '连续性元数据项（件号）', formerCode: '2-4' },
      allNumbers.some((n, i) => n !== i + 1) ? [`同一分类内件号不连续（应为1至${allNumbers.length}）`] : [],
      `同一分类内件号1至${allNumbers.length}连续${input.voidedItemNumbersInClass?.length ? `（含作废${input.voidedItemNumbersInClass.length}个）` : ''}`,
    ),
    item(
      { code: 'GD-2-7', property: '完整性', name: '内容数据完整性', formerCode: '2-1' },
      [
        ...c.filter((x) => !x.sha256).map((x) => `组件${x.ordinal}未获取`),
        ...c.flatMap((x) => x.findings.filter((f) => f.code === 'zero-bytes').map(() => `组件${x.ordinal}为空文件`)),
        ...c.filter((x) => !p.some((y) => y.ordinal === x.ordinal)).map((x) => `组件${x.ordinal}没有长期保存副本`),
      ],
      `${c.length}个组件均已获取并有长期保存副本`,
    ),
    input.classification
      ? item(
          { code: 'GD-2-8', property: '完整性', name: '归档范围' },
          input.classification.outcome === 'FILE' ? [] : [`分类结论为${input.classification.outcome}，不属归档范围`],
          `按归档范围表${input.classification.scheduleVersion}规则${input.classification.ruleIds.join('、') || '（人工鉴定）'}属归档范围`,
        )
      : notApplicable({ code: 'GD-2-8', property: '完整性', name: '归档范围' }, '未取得分类结论'),
    notApplicable({ code: 'GD-2-9', property: '完整性', name: '信息包元数据完整性' }, AT_PACKAGE),
    notApplicable({ code: 'GD-2-10', property: '完整性', name: '信息包内容数据完整性' }, AT_PACKAGE),

    // ── GD-3 可用性 ────────────────────────────────────────────────────────────
    hasRecord
      ? item({ code: 'GD-3-1', property: '可用性', name: '元数据可读性' }, [], '元数据记录可解析（DA/T 46 XML在封装时由同一记录生成）')
      : notApplicable({ code: 'GD-3-1', property: '可用性', name: '元数据可读性' }, '未生成DA/T 46元数据记录（见GD-2-3）'),
    item({ code: 'GD-3-2', property: '可用性', name: '目标数据库中元数据可访问性' }, record === null ? ['目录数据库中读不到此文件的元数据记录'] : [], '元数据记录已存入目录数据库并可读取', record !== undefined),
    item(
      { code: 'GD-3-3', property: '可用性', name: '内容数据格式', formerCode: '3-1' },
      [
        ...p.filter((x) => !input.acceptedFormat(x.formatName)).map((x) => `组件${x.ordinal}的保存副本为${x.formatName}，不在可接受格式之列`),
        // 3-2 before the GD list: a converted PDF/A copy must declare the level it was made to.
        ...p
          .filter((x) => x.target?.startsWith('PDF/A') && !(x.technical.pdfaClaim ?? '').toLowerCase().startsWith(x.target.slice(0, 7).toLowerCase()))
          .map((x) => `组件${x.ordinal}应为${x.target}，文件声明${x.technical.pdfaClaim ?? '无'}`),
        ...pdfaProblems(input),
      ],
      `保存副本均为可接受的长期保存格式${p.some((x) => x.target?.startsWith('PDF/A')) ? '，转换所得PDF/A均声明相应标准' : ''}${pdfaNote(input)}`,
    ),
    item(
      { code: 'GD-3-4', property: '可用性', name: '软硬件环境（保存副本可打开）', formerCode: '3-3' },
      p.flatMap((x) => {
        if ((isPdf(x.formatName) || x.formatName === 'OFD') && !(Number(x.technical.pageCount) > 0)) return [`组件${x.ordinal}页数为0或无法读取`];
        if (MEDIA.has(x.formatName) && !(Number(x.technical.durationSeconds) > 0)) return [`组件${x.ordinal}音视频无法解码时长`];
        if (IMAGES.has(x.formatName) && !(Number(x.technical.imageWidth) > 0)) return [`组件${x.ordinal}图像无法读取尺寸`];
        return x.findings.filter((f) => f.code === 'corrupt').map((f) => `组件${x.ordinal}：${f.message}`);
      }),
      '保存副本在本系统的软硬件环境中可打开（页数、时长、图像尺寸可读）',
    ),
    item(
      { code: 'GD-3-5', property: '可用性', name: '包内内容格式合规（无非公开压缩、无加密）', formerCode: '4-1' },
      [
        ...p.flatMap((x) => [
          ...(x.technical.encrypted ? [`组件${x.ordinal}的保存副本加密`] : []),
          ...x.findings.filter((f) => PACKED.has(f.code) || ACTIVE.has(f.code) || f.severity === 'unsafe').map((f) => `组件${x.ordinal}保存副本：${f.message}`),
        ]),
        ...c.flatMap((x) => x.findings.filter((f) => PACKED.has(f.code) && f.severity === 'unsafe').map((f) => `组件${x.ordinal}原件：${f.message}`)),
      ],
      `保存副本无加密、无压缩包、无宏或脚本等活动内容${c.some((x) => x.findings.some((f) => f.code === 'archive')) ? '；原件中的压缩包已检视（未解压），其内容不作为保存副本' : ''}`,
    ),

    // ── GD-4 安全性 ────────────────────────────────────────────────────────────
    virus === undefined
      ? notApplicable({ code: 'GD-4-1', property: '安全性', name: '杀毒软件安装' }, '未取得病毒检测配置')
      : virus.mode === 'off'
        ? notChecked({ code: 'GD-4-1', property: '安全性', name: '杀毒软件安装' }, '未检查：病毒检测已关闭（CLAMAV_MODE=off），文件未经扫描即归档；生产环境应指向本机构的clamd')
        : item(
          { code: 'GD-4-1', property: '安全性', name: '杀毒软件安装' },
          engines.length === 0 ? ['未记录杀毒软件及病毒库版本'] : staleSignatureProblems(virus.checks, virus.maxSignatureAgeDays ?? 0),
          `杀毒软件：${engines.join('；')}${engines.some((e) => e.includes('/')) ? '' : '（仅本地签名库，无官方病毒库版本）'}`,
        ),
    virus === undefined
      ? notApplicable({ code: 'GD-4-2', property: '安全性', name: '病毒检测' }, '未取得病毒检测记录')
      : virus.mode === 'off'
        ? notChecked({ code: 'GD-4-2', property: '安全性', name: '病毒检测' }, '未检查：病毒检测已关闭（CLAMAV_MODE=off），文件未经扫描即归档')
        : item(
          { code: 'GD-4-2', property: '安全性', name: '病毒检测' },
          c.flatMap((x) => {
                const check = scanned(x.ordinal);
                if (!check) return [`组件${x.ordinal}未经病毒检测`];
                return check.outcome === 'success' ? [] : [`组件${x.ordinal}：${check.outcomeDetail ?? '检出病毒'}`];
              }),
          `${c.length}个组件均经ClamAV检测，未检出病毒`,
        ),
    notApplicable(
      { code: 'GD-4-3', property: '安全性', name: '载体中多余文件' },
      '在线归档，无离线载体：只获取OA事件列出的组件（件数见GD-2-1），不接收其他文件',
    ),
    item(
      { code: 'GD-4-4', property: '安全性', name: '归档过程安全性（非涉密、过程受控）', formerCode: '4-2' },
      input.openSecurityLevels.includes(input.securityLevel) ? [] : [`密级为${input.securityLevel}，不得进入开放档案库`],
      `密级为${input.securityLevel}；只从配置的OA来源获取，每个环节记入哈希链审计`,
    ),
  ];
  return { standard: 'DA/T 70-2018 归档环节', passed: items.every((i) => i.result !== 'fail' || !i.blocking), items };
}

/** The preservation copies that claim PDF/A or were made to be PDF/A: veraPDF checks each. */
export const isPdfACopy = (copy: { formatName: string; target: string | null }): boolean => copy.formatName.startsWith('PDF/A') || (copy.target?.startsWith('PDF/A') ?? false);

/** GD-3-3: every PDF/A copy validated by veraPDF, with the rule ids of each failure. */
function pdfaProblems(input: FourPropertiesInput): string[] {
  const v = input.pdfaValidation;
  if (!v || v.mode === 'off') return [];
  return input.preservation.filter(isPdfACopy).flatMap((x) => {
    const verdict = v.copies.find((c) => c.ordinal === x.ordinal);
    if (!verdict) return [`组件${x.ordinal}的PDF/A副本未经veraPDF验证`];
    if (verdict.unreadable !== undefined) return [`组件${x.ordinal}的PDF/A副本veraPDF无法解析：${verdict.unreadable}`];
    if (verdict.compliant) return [];
    const more = verdict.failedRules > verdict.rules.length ? `等${verdict.failedRules}条` : `，共${verdict.failedRules}条`;
    return [`组件${x.ordinal}的PDF/A副本未通过veraPDF验证（PDF/A-${verdict.flavour ?? '?'}），不符合规则：${verdict.rules.join('、')}${more}`];
  });
}

function pdfaNote(input: FourPropertiesInput): string {
  const v = input.pdfaValidation;
  const copies = input.preservation.filter(isPdfACopy);
  if (!v || copies.length === 0) return '';
  if (v.mode === 'off') return '；PDF/A副本未经veraPDF逐件验证（VERAPDF_MODE=off）';
  return `；${copies.length}个PDF/A副本均经veraPDF验证合规（${[...new Set(v.copies.map((c) => `PDF/A-${c.flavour ?? '?'}`))].join('、')}）`;
}

const signatureName = (s: SignatureCheck) => (s.kind === 'seal' ? '电子印章' : '电子签名');

/** GD-1-1's basis: the OA's digests, then each signature or seal and how far it could be verified. */
function fixityDetail(components: FourPropertiesInput['components'], signed: { ordinal: number; s: SignatureCheck }[]): string {
  if (signed.length === 0 && !components.some((x) => x.declaredSha256)) return 'OA未提供数字摘要、电子签名、电子印章或时间戳，无可校验的固化信息；接收时另计SHA-256与SM3';
  const parts = [components.some((x) => x.declaredSha256) ? '有摘要的组件均与OA提供的SHA-256一致' : 'OA未提供数字摘要'];
  for (const { ordinal, s } of signed) {
    const who = [s.signer ? `签章人${s.signer}` : '', s.sealName ? `印章“${s.sealName}”` : ''].filter(Boolean).join('，');
    if (s.result === 'valid' && s.digestAlgorithm) parts.push(`组件${ordinal}的${signatureName(s)}${who ? `（${who}）` : ''}已验证（${s.standard ?? 'PDF'}）：签名范围的${s.digestAlgorithm}摘要一致，${s.signatureAlgorithm ?? ''}签名经签名中的证书验证通过（证书未对照信任列表）${s.coversWholeFile === false ? '；签名后文件另有追加修改（增量更新），追加部分不在签名范围内' : ''}`);
    else if (s.result === 'valid') parts.push(`组件${ordinal}的${signatureName(s)}${who ? `（${who}）` : ''}已验证：受保护文件的摘要一致，SM2签名经包内签名证书验证通过（证书未对照信任列表）`);
    else if (s.result === 'unverifiable' && s.standard?.startsWith('PDF')) parts.push(`组件${ordinal}的${signatureName(s)}存在、无法验证（${s.standard}：${s.reason ?? '签名数据无法读取'}）`);
    else if (s.result === 'unverifiable') parts.push(`组件${ordinal}的${signatureName(s)}存在、无法验证（${s.reason ?? '包内无签名证书'}）；受保护文件的摘要一致`);
  }
  if (signed.length === 0) parts.push('OA未提供电子签名、电子印章或时间戳');
  return `${parts.join('；')}；接收时另计SHA-256与SM3`;
}

/** GD-1-5: dates in a sensible order, the 年度 from the signing date, no empty file. */
function plausibilityProblems(input: FourPropertiesInput): string[] {
  const { dates } = input;
  if (!dates) return [];
  const problems: string[] = [];
  const t = (s: string | undefined) => (s ? Date.parse(s) : NaN);
  const created = t(dates.created);
  const signed = t(dates.signed);
  const finalized = t(dates.finalized);
  // A 收文 is signed by its issuer before this OA creates it: only 办结 has to come last.
  if (finalized < created) problems.push(`办结日期${dates.finalized}早于形成日期${dates.created}`);
  if (!Number.isNaN(signed) && finalized < signed) problems.push(`办结日期${dates.finalized}早于签发日期${dates.signed}`);
  const yearOf = (dates.signed ?? dates.finalized).slice(0, 4);
  if (input.year !== undefined && input.year !== null && String(input.year) !== yearOf) problems.push(`档号年度${input.year}与签发（办结）年度${yearOf}不一致`);
  for (const x of input.components) if (x.size === 0) problems.push(`组件${x.ordinal}大小为0`);
  return problems;
}
