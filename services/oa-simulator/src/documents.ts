import { createHash } from 'node:crypto';
import type { ComponentRole, DocumentFinalizedInput } from '@oa-archive/contracts';
import { makeDocx, makeJpeg, makePdf, makePng } from './files.ts';

/**
 * A simulated agency's finalized documents. Everything is a pure function of (seed, index), so the
 * file server and the publisher, even in different processes, agree on every byte without sharing state.
 */

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENCY = '示范市人民政府办公室';
const DEPARTMENTS = [
  { code: 'BGS', name: '办公室' },
  { code: 'CWK', name: '财务科' },
  { code: 'RSK', name: '人事科' },
  { code: 'ZHK', name: '综合科' },
  { code: 'XXZX', name: '信息中心' },
];
const PEOPLE = ['王芳', '李强', '张伟', '刘洋', '陈静', '杨帆', '赵敏', '黄磊'];
const TOPICS = [
  '做好2025年度档案移交工作',
  '开展安全生产大检查',
  '加强公文处理规范化管理',
  '组织开展防汛应急演练',
  '申请2025年度信息化建设专项资金',
  '调整机关内设机构职责分工',
  '规范政府采购管理',
  '做好年度财务决算编报',
  '推进电子文件单套制归档试点',
  '开展干部教育培训',
  '落实节能降耗工作措施',
  '做好重大节日期间值班工作',
];
const CONTRACTS = ['办公设备维护保养', '政务云平台租用', '档案数字化加工', '机关食堂委托经营', '办公楼物业管理'];
const SUPERIORS = ['示范省档案局', '示范省人民政府办公厅', '示范省财政厅'];
const PEERS = ['示范市财政局', '示范市发展和改革委员会', '示范市自然资源局'];
const PARTNERS = ['示范信息技术有限公司', '示范物业服务有限公司', '示范建筑工程有限公司'];
const EVENTS = ['档案工作会议', '防汛应急演练', '新任干部培训班开班仪式', '机关运动会'];

type Kind = '通知' | '征求意见稿' | '请示' | '批复' | '会议纪要' | '合同' | '函' | '报告' | '照片' | '上级普发';
// Roughly what an agency's OA finalizes: mostly its own notices and replies from above, some
// drafts sent round for comment and general circulars from above that are not archived.
const KINDS: Kind[] = ['通知', '通知', '请示', '批复', '会议纪要', '合同', '函', '报告', '照片', '征求意见稿', '上级普发'];
const HOLIDAYS = ['2025年部分节假日安排', '2025年春节放假安排', '2025年国庆节放假安排'];

export interface SimulatedComponent {
  role: ComponentRole;
  fileName: string;
  mediaType: string;
  bytes: Buffer;
}

export interface SimulatedDocument {
  data: Omit<DocumentFinalizedInput, 'components'>;
  components: SimulatedComponent[];
}

/**
 * Which files a document comes with. `mixed`: what an agency's OA holds — PDFs (not PDF/A), DOCX
 * drafts and attachments, PNG forms, JPEG photos — so most documents need a conversion.
 * `no-conversion`: the same documents with PDF/A-2b bodies and JPEG attachments, which the default
 * conversion policy keeps as they are (for measuring the pipeline without the converters).
 */
export const DOCUMENT_MIXES = ['mixed', 'no-conversion'] as const;
export type DocumentMix = (typeof DOCUMENT_MIXES)[number];

/** The mix is part of the id (`K` before the index for no-conversion), so the file server needs no state. */
export function documentIdOf(seed: number, index: number, mix: DocumentMix = 'mixed'): string {
  return `SIM-${seed}-${mix === 'no-conversion' ? 'K' : ''}${String(index).padStart(5, '0')}`;
}

export function parseDocumentId(documentId: string): { seed: number; index: number; mix: DocumentMix } | undefined {
  const match = /^SIM-(\d+)-(K?)(\d{5,})$/.exec(documentId);
  return match ? { seed: Number(match[1]), index: Number(match[3]), mix: match[2] ? 'no-conversion' : 'mixed' } : undefined;
}

const iso = (d: Date) => d.toISOString().replace('Z', '+00:00');

export function simulateDocument(seed: number, index: number, mix: DocumentMix = 'mixed'): SimulatedDocument {
  const random = prng(seed * 100_003 + index);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const kind = KINDS[index % KINDS.length]!;
  const documentType = kind === '征求意见稿' ? '通知' : kind === '上级普发' ? '通知' : kind;
  const department = pick(DEPARTMENTS);
  const topic = pick(TOPICS);
  const year = 2025;
  const created = new Date(Date.UTC(year, Math.floor(random() * 11), 1 + Math.floor(random() * 27), 1 + Math.floor(random() * 8)));
  const signed = new Date(created.getTime() + (1 + Math.floor(random() * 5)) * 86_400_000);
  const finalized = new Date(signed.getTime() + 3_600_000 * (1 + Math.floor(random() * 20)));
  const drafter = pick(PEOPLE);
  const approver = pick(PEOPLE);
  const signer = pick(PEOPLE);
  const serial = 1 + Math.floor(random() * 200);
  // Mostly public; some internal, a few classified (those must end in quarantine later).
  const roll = random();
  const securityLevel = roll < 0.82 ? '公开' : roll < 0.95 ? '内部' : '秘密';
  const urgency = random() < 0.15 ? '加急' : '普通';

  let title = '';
  let issuer: { name: string; relation: '本机关' | '上级' | '同级' | '下级' | '外部' } = { name: AGENCY, relation: '本机关' };
  let documentNumber: string | undefined = `示政办发〔${year}〕${serial}号`;
  let workflowType = '发文';
  let distribution: string | undefined = '普发';
  switch (kind) {
    case '通知':
      title = `关于${topic}的通知`;
      break;
    case '征求意见稿':
      title = `关于${topic}的通知（征求意见稿）`;
      documentNumber = undefined;
      distribution = undefined;
      break;
    case '上级普发':
      issuer = { name: pick(SUPERIORS), relation: '上级' };
      title = `关于${pick(HOLIDAYS)}的通知`;
      documentNumber = `示省办发〔${year}〕${serial}号`;
      workflowType = '收文';
      break;
    case '请示':
      title = `关于${topic}的请示`;
      documentNumber = `示政办请〔${year}〕${serial}号`;
      distribution = undefined;
      break;
    case '批复':
      issuer = { name: pick(SUPERIORS), relation: '上级' };
      title = `关于${topic}的批复`;
      documentNumber = `示省办复〔${year}〕${serial}号`;
      workflowType = '收文';
      distribution = undefined;
      break;
    case '会议纪要':
      title = `${department.name}${year}年第${1 + (serial % 24)}次办公会议纪要`;
      documentNumber = `会议纪要〔${year}〕${1 + (serial % 24)}号`;
      workflowType = '会议';
      distribution = undefined;
      break;
    case '合同':
      title = `${pick(CONTRACTS)}服务合同`;
      issuer = { name: `${AGENCY}；${pick(PARTNERS)}`, relation: '本机关' };
      documentNumber = `HT-${year}-${String(serial).padStart(4, '0')}`;
      workflowType = '合同审批';
      distribution = undefined;
      break;
    case '函':
      issuer = { name: pick(PEERS), relation: '同级' };
      title = `关于商请协助${topic}的函`;
      documentNumber = `示财函〔${year}〕${serial}号`;
      workflowType = '收文';
      distribution = undefined;
      break;
    case '报告':
      title = `关于${topic}情况的报告`;
      documentNumber = `示政办报〔${year}〕${serial}号`;
      distribution = undefined;
      break;
    case '照片':
      title = `${year}年${pick(EVENTS)}照片`;
      documentNumber = undefined;
      workflowType = '声像归档';
      distribution = undefined;
      break;
  }

  const author = issuer.name;
  const pdfText = (heading: string, extra: string[] = []) => [
    `${heading}`,
    `Document ${documentIdOf(seed, index, mix)}  Type: ${kind === '照片' ? 'photo' : 'text'}`,
    `Department ${department.code}  Serial ${serial}`,
    ...extra,
  ];
  const components: SimulatedComponent[] = [];
  if (kind === '照片') {
    const photos = 1 + Math.floor(random() * 3);
    for (let p = 1; p <= photos; p++) {
      components.push({
        role: p === 1 ? '正文' : '附件',
        fileName: `${title}-${String(p).padStart(2, '0')}.jpg`,
        mediaType: 'image/jpeg',
        bytes: makeJpeg({ width: 320, height: 240, seed: seed + index * 7 + p }),
      });
    }
  } else if (mix === 'no-conversion') {
    // The same draws as the mixed set (so titles, dates and levels agree), other files.
    const pages = 1 + Math.floor(random() * 3);
    components.push({
      role: '正文',
      fileName: `${title}.pdf`,
      mediaType: 'application/pdf',
      bytes: makePdf({ title, author, created: signed, pages: Array.from({ length: pages }, (_, i) => pdfText(`Page ${i + 1} of ${pages}`)), pdfa: true }),
    });
    const extras = Math.floor(random() * 3);
    for (let p = 1; p <= extras; p++) {
      components.push({ role: '附件', fileName: `附件${p}：${topic}现场照片.jpg`, mediaType: 'image/jpeg', bytes: makeJpeg({ width: 320, height: 240, seed: seed + index * 7 + p }) });
    }
  } else {
    const pages = 1 + Math.floor(random() * 3);
    components.push({
      role: '正文',
      fileName: `${title}.pdf`,
      mediaType: 'application/pdf',
      bytes: makePdf({ title, author, created: signed, pages: Array.from({ length: pages }, (_, i) => pdfText(`Page ${i + 1} of ${pages}`)) }),
    });
    const extras = Math.floor(random() * 3); // 0–2 more: 1–3 components in all
    const options: SimulatedComponent[] = [
      {
        role: '定稿',
        fileName: `${title}（定稿）.docx`,
        mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        bytes: makeDocx({ title, author, created, paragraphs: [`${department.name}：`, `现就${topic}有关事项${kind}如下。`, '特此' + kind + '。'] }),
      },
      {
        role: workflowType === '收文' ? '处理单' : '发文稿纸',
        fileName: workflowType === '收文' ? '收文处理单.png' : '发文稿纸.pdf',
        mediaType: workflowType === '收文' ? 'image/png' : 'application/pdf',
        bytes:
          workflowType === '收文'
            ? makePng({ width: 200, height: 280 })
            : makePdf({ title: `${title} 发文稿纸`, author: AGENCY, created, pages: [pdfText('Dispatch form', [`Drafted by ${index}`])] }),
      },
      {
        role: '附件',
        fileName: `附件1：${topic}工作安排.docx`,
        mediaType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        bytes: makeDocx({ title: `${topic}工作安排`, author, created, paragraphs: ['一、工作目标', '二、职责分工', '三、时间安排'] }),
      },
    ];
    components.push(...options.slice(0, extras));
  }

  const steps = [
    { step: '拟稿', actor: drafter, action: '起草', at: iso(created) },
    { step: '审核', actor: approver, action: '同意', at: iso(new Date(created.getTime() + 86_400_000)), opinion: '同意' },
    { step: '签发', actor: signer, action: '签发', at: iso(signed) },
  ];
  return {
    data: {
      documentId: documentIdOf(seed, index, mix),
      version: 1,
      title,
      ...(documentNumber ? { documentNumber } : {}),
      documentType,
      issuer,
      departmentCode: department.code,
      dates: { created: iso(created), signed: iso(signed), finalized: iso(finalized) },
      securityLevel,
      urgency,
      ...(distribution ? { distribution } : {}),
      workflow: { id: `WF-${seed}-${index}`, type: workflowType, steps },
    },
    components,
  };
}

/** The event `data` for a simulated document, with component URLs on the given file server. */
export function eventDataOf(document: SimulatedDocument, baseUrl: string, options: { declareDigests: boolean }): DocumentFinalizedInput {
  return {
    ...document.data,
    components: document.components.map((c, i) => ({
      role: c.role,
      fileName: c.fileName,
      mediaType: c.mediaType,
      size: c.bytes.length,
      // Not every OA knows its files' digests; the archive computes its own either way.
      ...(options.declareDigests ? { sha256: createHash('sha256').update(c.bytes).digest('hex') } : {}),
      url: `${baseUrl}/files/${encodeURIComponent(document.data.documentId)}/${i + 1}`,
    })),
  };
}
