import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/**
 * Packages as an OA drops them, written the way docs/oa-integration.md says (files first, metadata
 * last; in a directory under a hidden name, renamed into place): a folder with metadata.json read by
 * mappings/package-json.yaml, or one EEP XML read by mappings/eep.yaml.
 */

export interface PackageFileSpec {
  path: string;
  bytes: Buffer;
}

export interface TestPackage {
  name: string;
  kind: 'folder' | 'file';
  /** The metadata is last. */
  files: PackageFileSpec[];
}

const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

/** A small but real PDF body and a text attachment, different per document. */
export function documentFiles(documentId: string): { name: string; role: string; contentType: string; bytes: Buffer }[] {
  return [
    { name: `${documentId} 正文.pdf`, role: '正文', contentType: 'application/pdf', bytes: Buffer.from(`%PDF-1.4\n% ${documentId}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`) },
    { name: '附件1：说明.txt', role: '附件', contentType: 'text/plain', bytes: Buffer.from(`附件：${documentId} 的说明。\n`) },
  ];
}

export function folderPackage(documentId: string, options: { tamper?: (metadata: Record<string, unknown>, files: PackageFileSpec[]) => void } = {}): TestPackage {
  const components = documentFiles(documentId);
  const files: PackageFileSpec[] = components.map((c, i) => ({ path: `files/${i + 1}-${c.name}`, bytes: c.bytes }));
  const metadata: Record<string, unknown> = {
    公文: {
      公文标识: documentId,
      版本号: 1,
      标题: `关于${documentId}的通知`,
      文号: '示政办发〔2025〕12号',
      文种: '通知',
      拟稿单位: '示范市人民政府办公室',
      部门代码: 'BGS',
      拟稿日期: '2025-03-10 10:02:00',
      成文日期: '2025-03-13',
      办结时间: '2025-03-14 09:30:00',
      密级: '非密',
      紧急程度: '一般',
      流程: {
        流程编号: `WF-${documentId}`,
        流程类型: '发文',
        办理记录: [
          { 序号: 1, 环节: '拟稿', 办理人: '王芳', 操作: '起草', 办理时间: '2025-03-10 10:02:00' },
          { 序号: 2, 环节: '签发', 办理人: '张伟', 操作: '签发', 办理时间: '2025-03-13 16:45:00' },
        ],
      },
      files: components.map((c, i) => ({ role: c.role, order: i + 1, name: c.name, contentType: c.contentType, size: c.bytes.length, md5: md5(c.bytes), path: files[i]!.path })),
    },
  };
  options.tamper?.(metadata, files);
  return { name: documentId, kind: 'folder', files: [...files, { path: 'metadata.json', bytes: Buffer.from(JSON.stringify(metadata, null, 2)) }] };
}

export function eepXml(documentId: string, options: { referenced?: boolean } = {}): string {
  const documents = documentFiles(documentId)
    .map(
      (c, i) =>
        `<文档 角色="${c.role}"><文档标识符>${documentId}-${i + 1}</文档标识符><文档序号>${i + 1}</文档序号><文档数据><编码><电子属性><格式信息>${c.contentType}</格式信息>` +
        `<计算机文件名>${c.name}</计算机文件名><计算机文件大小>${c.bytes.length}</计算机文件大小></电子属性><反编码关键字>base64</反编码关键字>` +
        (options.referenced ? `<文件路径>files/${i + 1}.bin</文件路径>` : `<编码数据>\n${c.bytes.toString('base64').replace(/(.{60})/g, '$1\n')}\n</编码数据>`) +
        '</编码></文档数据></文档>',
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<电子文件封装包>
  <封装包格式描述>DA/T 48</封装包格式描述>
  <版本>2009</版本>
  <被签名对象 eep版本="2009">
    <封装包类型>原始型</封装包类型>
    <封装内容>
      <文件实体块><文件实体>
        <来源><全宗号>A182</全宗号></来源>
        <电子文件号>${documentId}</电子文件号>
        <内容描述><题名>关于${documentId}的通知</题名><文件编号>示政办发〔2025〕13号</文件编号><责任者 关系="本机关">示范市人民政府办公室</责任者><文种>通知</文种>
          <拟稿日期>2025-03-10T10:02:00</拟稿日期><日期>2025-03-13</日期><办结时间>2025-03-14T09:30:00</办结时间><密级>非密</密级><紧急程度>一般</紧急程度></内容描述>
        <文件数据>
${documents}
        </文件数据>
      </文件实体></文件实体块>
      <业务实体块 流程编号="WF-${documentId}" 流程类型="发文">
        <业务实体><业务状态>拟稿</业务状态><业务行为>起草</业务行为><机构人员标识符>王芳</机构人员标识符><行为时间>2025-03-10T10:02:00</行为时间></业务实体>
        <业务实体><业务状态>签发</业务状态><业务行为>签发</业务行为><机构人员标识符>张伟</机构人员标识符><行为时间>2025-03-13T16:45:00</行为时间></业务实体>
      </业务实体块>
      <机构人员实体块><机构人员实体><组织机构代码>CWK</组织机构代码></机构人员实体></机构人员实体块>
    </封装内容>
  </被签名对象>
  <电子签名块/>
</电子文件封装包>
`;
}

export function eepPackage(documentId: string, xml = eepXml(documentId)): TestPackage {
  return { name: `${documentId}.xml`, kind: 'file', files: [{ path: `${documentId}.xml`, bytes: Buffer.from(xml) }] };
}

export async function dropToS3(s3: S3Client, bucket: string, prefix: string, pkg: TestPackage): Promise<void> {
  const base = `${prefix}incoming/${pkg.name}`;
  for (const file of pkg.files) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pkg.kind === 'folder' ? `${base}/${file.path}` : base, Body: file.bytes }));
}

export async function dropToDirectory(directory: string, pkg: TestPackage): Promise<void> {
  const hidden = path.join(directory, 'incoming', `.${pkg.name}`);
  for (const file of pkg.files) {
    const at = pkg.kind === 'folder' ? path.join(hidden, ...file.path.split('/')) : hidden;
    await mkdir(path.dirname(at), { recursive: true });
    await writeFile(at, file.bytes);
  }
  await rename(hidden, path.join(directory, 'incoming', pkg.name));
}
