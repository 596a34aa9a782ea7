import type { BagInfo, PremisObject, PreservationEvent } from '../src/index.ts';

/** bag-info for the test bags: Chinese text and characters XML and bag-info must escape or keep. */
export const BAG_INFO: BagInfo = {
  referenceCode: 'A001-2024-Y-BGS-0007',
  fonds: 'A001',
  sourceOrganization: '某某市人民政府办公室',
  sourceSystem: '协同办公系统 v5',
  externalIdentifier: 'ing-7f3a',
  externalDescription: '关于做好2024年"春节"<元旦>期间值班工作的通知 & 附件',
  dates: { created: '2024-01-05T09:00:00+08:00', signed: '2024-01-08T10:30:00+08:00', finalized: '2024-01-08T11:00:00+08:00' },
  baggingDate: '2024-01-09',
};


/** Shaped exactly like `MetadataRecord` from @oa-archive/characterize (built by buildMetadataRecord). */
export function sampleRecord() {
  return {
    聚合层次: '件' as const,
    来源: { 立档单位名称: '某某市人民政府办公室', 信息系统描述: '协同办公系统 v5' },
    电子文件号: 'ing-7f3a',
    内容描述: {
      题名: '关于做好2024年"春节"<元旦>期间值班工作的通知 & 附件',
      文件编号: '某府办〔2024〕7号',
      责任者: '某某市人民政府办公室',
      日期: '20240108',
      文种: '通知',
      紧急程度: '特急',
      密级: '公开',
    },
    形式特征: { 文件组合类型: '组合文件', 件数: 1, 页数: 3, 稿本: '正本' },
    电子属性: [
      {
        序号: 1,
        稿本: '正文',
        计算机文件名: '正文.pdf',
        计算机文件大小: 20480,
        格式信息: 'Acrobat PDF/A - Portable Document Format 2b',
        PRONOM格式标识: 'fmt/477',
        文档创建程序: 'WPS Office',
        数字摘要: [
          { 算法: 'SM3' as const, 值: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0' },
          { 算法: 'SHA-256' as const, 值: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' },
        ],
      },
      {
        序号: 2,
        稿本: '附件',
        计算机文件名: '附件 1 <值班表>.xlsx',
        计算机文件大小: 8192,
        格式信息: 'Microsoft Excel 2007 onwards',
        数字摘要: [
          { 算法: 'SM3' as const, 值: '1111111111111111111111111111111111111111111111111111111111111111' },
          { 算法: 'SHA-256' as const, 值: '2222222222222222222222222222222222222222222222222222222222222222' },
        ],
      },
    ],
    机构人员: [
      { 机构人员名称: '某某市人民政府办公室', 机构人员类型: '责任者' },
      { 机构人员名称: '张三', 机构人员类型: '经办人' },
    ],
    业务: [
      { 业务状态: '完成', 业务行为: '拟稿', 行为时间: '2024-01-05T09:00:00+08:00', 执行者: '张三' },
      { 业务状态: '完成', 业务行为: '签发', 行为时间: '2024-01-08T10:30:00+08:00', 执行者: '李四', 行为依据: '同意 & 按"急件"办理' },
    ],
  };
}

export const PREMIS_OBJECTS: PremisObject[] = [
  {
    identifier: 'data/正文.pdf',
    originalName: '关于<值班>的通知 & "正文".pdf',
    size: 20480,
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    sm3: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    formatName: 'Acrobat PDF/A - Portable Document Format',
    puid: 'fmt/477',
  },
  {
    identifier: 'data/附件1.xlsx',
    originalName: '附件1.xlsx',
    size: 8192,
    sha256: '2'.repeat(64),
    sm3: '1'.repeat(64),
    formatName: 'Microsoft Excel 2007 onwards',
    puid: null,
  },
];

export const PREMIS_EVENTS: PreservationEvent[] = [
  {
    eventIdentifier: 'evt-3',
    eventType: 'format identification',
    eventDateTime: '2024-01-09T08:00:02Z',
    eventDetail: 'PRONOM signature match',
    outcome: 'success',
    agent: { name: 'oa-archive characterize', version: '0.1.0', type: 'software' },
    objects: [
      { identifier: 'data/附件1.xlsx', role: 'source' },
      { identifier: 'data/正文.pdf', role: 'source' },
    ],
  },
  {
    eventIdentifier: 'evt-1',
    eventType: 'ingestion',
    eventDateTime: '2024-01-09T08:00:00Z',
    eventDetail: 'received from the OA event 文件定稿',
    outcome: 'success',
    agent: { name: 'oa-archive ingest', version: '0.1.0', type: 'software' },
    objects: [{ identifier: 'data/正文.pdf', role: 'outcome' }],
  },
  {
    eventIdentifier: 'evt-2',
    eventType: 'fixity check',
    eventDateTime: '2024-01-09T08:00:01Z',
    eventDetail: 'SHA-256 and SM3 computed while streaming',
    outcome: 'warning',
    outcomeDetail: 'the OA declared no digest to compare <none>',
    agent: { name: 'oa-archive ingest', version: '0.1.0', type: 'software' },
    objects: [{ identifier: 'data/正文.pdf', role: 'source' }],
  },
  {
    eventIdentifier: 'evt-4',
    eventType: 'accession',
    eventDateTime: '2024-01-10T09:00:00+08:00',
    eventDetail: '归档确认',
    outcome: 'success',
    agent: { name: '王五', type: 'person' },
    objects: [],
  },
];
