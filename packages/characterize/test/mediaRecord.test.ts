import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentFinalizedDataSchema, exampleDocumentFinalizedEvent } from '@oa-archive/contracts';
import { buildMetadataRecord, characterizeFile, DEFAULT_MANDATORY_ELEMENTS, MetadataReader, missingElements, type ComponentForRecord } from '../src/index.ts';
import { limits } from './harness.ts';

/**
 * DA/T 54 (photo) and DA/T 63 (audio, video) elements from real files: ffmpeg makes a JPEG, an MP3 and
 * an MP4 here, ExifTool writes a camera's EXIF into a copy of the JPEG, and characterization reads
 * them back with the worker's own ExifTool reader.
 */
const run = promisify(execFile);
const data = documentFinalizedDataSchema.parse(exampleDocumentFinalizedEvent.data);
let dir = '';
const reader = new MetadataReader({ maxProcs: 1 });

async function ffmpeg(...args: string[]): Promise<void> {
  await run('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
}

async function componentOf(ordinal: number, fileName: string): Promise<ComponentForRecord> {
  const filePath = path.join(dir, fileName);
  const bytes = await readFile(filePath);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { format, technical } = await characterizeFile({ filePath, fileName, fixity: { size: bytes.length, sha256 }, declared: {}, limits, reader });
  return { ordinal, role: '附件', fileName, size: bytes.length, sha256, sm3: createHash('sm3').update(bytes).digest('hex'), format, technical };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'media-record-'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:duration=1', '-frames:v', '1', path.join(dir, 'plain.jpg'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:duration=1', '-frames:v', '1', path.join(dir, 'camera.jpg'));
  await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-ac', '2', '-ar', '44100', '-b:a', '128k', path.join(dir, 'speech.mp3'));
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-ar', '48000', '-shortest', path.join(dir, 'meeting.mp4'));
  // What a camera writes: when, who, with what, where.
  const { exiftool } = await import('exiftool-vendored');
  await exiftool.write(
    path.join(dir, 'camera.jpg'),
    { DateTimeOriginal: '2025:03:12 09:30:00', Artist: '王芳', Make: 'Canon', Model: 'EOS R5', GPSLatitude: 39.9042, GPSLatitudeRef: 'N', GPSLongitude: 116.4074, GPSLongitudeRef: 'E', ColorSpace: 'sRGB' } as never,
    { writeArgs: ['-overwrite_original'] },
  );
  await exiftool.end();
}, 120_000);
afterAll(async () => {
  await reader.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('DA/T 54 photo elements', () => {
  it('fills 拍摄时间, 摄影者, 拍摄地点, 数码设备 and the image’s own properties from a camera JPEG', async () => {
    const photo = await componentOf(1, 'camera.jpg');
    const record = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_p', agencyName: '示范市人民政府办公室', sourceSystem: 'oa', data, components: [photo] });
    const photoElements = record.电子属性[0]!.照片属性!;
    expect(photoElements).toMatchObject({
      拍摄时间: '2025:03:12 09:30:00',
      摄影者: '王芳',
      数码设备: { 设备制造商: 'Canon', 设备型号: 'EOS R5' },
      图像宽度: 320,
      图像高度: 240,
      色彩空间: 'sRGB',
    });
    expect(photoElements.拍摄地点!.纬度).toBeCloseTo(39.9042, 4);
    expect(photoElements.拍摄地点!.经度).toBeCloseTo(116.4074, 4);
    expect(record.电子属性[0]!.音视频属性).toBeUndefined();
    expect(missingElements(record, [...DEFAULT_MANDATORY_ELEMENTS, '照片属性.拍摄时间', '照片属性.摄影者'])).toEqual([]);
  });

  it('names each mandatory photo element a JPEG without EXIF lacks, with its file', async () => {
    const photo = await componentOf(2, 'plain.jpg');
    const record = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_q', agencyName: '示范市人民政府办公室', sourceSystem: 'oa', data, components: [photo] });
    expect(record.电子属性[0]!.照片属性).toMatchObject({ 图像宽度: 320, 图像高度: 240 });
    expect(record.电子属性[0]!.照片属性!.拍摄时间).toBeUndefined();
    // The defaults ask only what every decodable image has; an agency adds 拍摄时间 and 摄影者.
    expect(missingElements(record, DEFAULT_MANDATORY_ELEMENTS)).toEqual([]);
    expect(missingElements(record, [...DEFAULT_MANDATORY_ELEMENTS, '照片属性.拍摄时间', '照片属性.摄影者'])).toEqual(['照片属性.拍摄时间（文件2）', '照片属性.摄影者（文件2）']);
  });
});

describe('DA/T 63 audio and video elements', () => {
  it('fills 时长, 音频编码, 比特率, 采样率 and 声道数 from an MP3', async () => {
    const audio = await componentOf(1, 'speech.mp3');
    expect(audio.format.mediaKind).toBe('audio');
    const record = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_a', agencyName: '示范市人民政府办公室', sourceSystem: 'oa', data, components: [audio] });
    const elements = record.电子属性[0]!.音视频属性!;
    expect(elements).toMatchObject({ 音频编码: 'MPEG-1 Layer 3', 比特率: '128 kbps', 采样率: 44100, 声道数: 2 });
    expect(elements.时长).toBeGreaterThan(1.9);
    expect(elements.时长).toBeLessThan(2.2);
    expect(elements.视频编码).toBeUndefined();
    expect(missingElements(record, DEFAULT_MANDATORY_ELEMENTS)).toEqual([]);
  });

  it('fills 视频编码, 帧率 and 分辨率 beside the sound from an MP4, and names what an agency asks that it lacks', async () => {
    const video = await componentOf(3, 'meeting.mp4');
    expect(video.format.mediaKind).toBe('video');
    const record = buildMetadataRecord({ timeZone: 'Asia/Shanghai', ingestId: 'ing_v', agencyName: '示范市人民政府办公室', sourceSystem: 'oa', data, components: [video] });
    const elements = record.电子属性[0]!.音视频属性!;
    expect(elements).toMatchObject({ 视频编码: 'avc1', 音频编码: 'mp4a', 帧率: 25, 分辨率: '320x240', 采样率: 48000, 声道数: 2 });
    expect(elements.时长).toBeCloseTo(2, 0);
    expect(elements.比特率).toMatch(/^\d+ kbps$/);
    // ffmpeg writes no creation time (QuickTime's zero date), so 录制时间 is absent rather than 0000-00-00.
    expect(elements.录制时间).toBeUndefined();
    expect(missingElements(record, [...DEFAULT_MANDATORY_ELEMENTS, '音视频属性.录制时间'])).toEqual(['音视频属性.录制时间（文件3）']);
  });
});
