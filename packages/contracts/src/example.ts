import { documentFinalizedEvent } from './cloudEvent.ts';

/** The event shown in the README; tests keep it valid. */
export const exampleDocumentFinalizedEvent = documentFinalizedEvent({
  id: '4f8c2a6e-1d2b-4c1e-9a55-0b7f3c9d2e11',
  source: 'oa-simulator',
  time: '2025-03-14T09:30:12+08:00',
  data: {
    documentId: 'FW-2025-0137',
    version: 1,
    title: '关于做好2025年度档案移交工作的通知',
    documentNumber: '示政办发〔2025〕12号',
    documentType: '通知',
    issuer: { name: '示范市人民政府办公室', relation: '本机关' },
    departmentCode: 'BGS',
    dates: {
      created: '2025-03-10T10:02:00+08:00',
      signed: '2025-03-13T16:45:00+08:00',
      finalized: '2025-03-14T09:30:00+08:00',
    },
    securityLevel: '公开',
    urgency: '普通',
    distribution: '普发',
    workflow: {
      id: 'WF-88231',
      type: '发文',
      steps: [
        { step: '拟稿', actor: '王芳', action: '起草', at: '2025-03-10T10:02:00+08:00' },
        { step: '审核', actor: '李强', action: '同意', at: '2025-03-12T11:20:00+08:00', opinion: '同意印发' },
        { step: '签发', actor: '张伟', action: '签发', at: '2025-03-13T16:45:00+08:00' },
      ],
    },
    components: [
      {
        role: '正文',
        fileName: '关于做好2025年度档案移交工作的通知.pdf',
        mediaType: 'application/pdf',
        size: 48213,
        sha256: '9c1185a5c5e9fc54612808977ee8f548b2258d31a0f3b0d6e0c5b2a1f3e4d5c6',
        url: 'http://127.0.0.1:8088/files/FW-2025-0137/1',
      },
      {
        role: '处理单',
        fileName: '发文稿纸.pdf',
        mediaType: 'application/pdf',
        url: 'http://127.0.0.1:8088/files/FW-2025-0137/2',
      },
    ],
  },
});
