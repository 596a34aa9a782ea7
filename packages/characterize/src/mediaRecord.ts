import type { FormatIdentification } from './types.ts';
import type { TechnicalMetadata } from './technical.ts';

/**
 * The photo and audio/video elements of a file's record, filled from ExifTool (technical.ts), placed
 * in the DA/T 46 record's 电子属性 of that file: `照片属性` with DA/T 54-2014 (照片类电子档案元数据方案)
 * elements for a photo, `音视频属性` with DA/T 63-2017 (录音录像类电子档案元数据方案) elements for a
 * recording. Neither standard is in the reference digest: the element names are the standards' as we
 * know them, unverified against the text, so which are mandatory is configuration (METADATA_MANDATORY,
 * as `照片属性.拍摄时间`). Absent values are left out, never guessed.
 */

/** DA/T 54 photo elements (technical and capture). */
export interface PhotoElements {
  拍摄时间?: string;
  摄影者?: string;
  /** GPS position: 纬度 and 经度 in signed decimal degrees, 海拔 in metres. */
  拍摄地点?: { 纬度: number; 经度: number; 海拔?: number };
  数码设备?: { 设备制造商?: string; 设备型号?: string };
  图像宽度?: number;
  图像高度?: number;
  分辨率?: string;
  色彩空间?: string;
  颜色位深?: number;
}

/** DA/T 63 audio and video elements. */
export interface RecordingElements {
  /** Seconds. */
  时长?: number;
  录制时间?: string;
  音频编码?: string;
  视频编码?: string;
  比特率?: string;
  /** Hz. */
  采样率?: number;
  声道数?: number;
  /** Frames per second (video). */
  帧率?: number;
  /** Picture size "宽x高" in pixels (video). */
  分辨率?: string;
  数码设备?: { 设备制造商?: string; 设备型号?: string };
}

/** The mandatory elements of each group when an agency sets none: what every decodable file has. */
export const DEFAULT_MANDATORY_MEDIA_ELEMENTS = ['照片属性.图像宽度', '照片属性.图像高度', '音视频属性.时长'] as const;

const compact = <T extends object>(o: T): T | undefined => {
  const entries = Object.entries(o).filter(([, v]) => v !== undefined && !(typeof v === 'object' && v !== null && Object.keys(v).length === 0));
  return entries.length ? (Object.fromEntries(entries) as T) : undefined;
};

function deviceOf(t: TechnicalMetadata) {
  return compact({ 设备制造商: t.cameraMake, 设备型号: t.cameraModel });
}

export function photoElementsOf(t: TechnicalMetadata): PhotoElements {
  const place = t.gpsLatitude !== undefined && t.gpsLongitude !== undefined ? { 纬度: t.gpsLatitude, 经度: t.gpsLongitude, ...(t.gpsAltitude !== undefined ? { 海拔: t.gpsAltitude } : {}) } : undefined;
  return (
    compact({
      拍摄时间: t.capturedAt,
      摄影者: t.photographer,
      拍摄地点: place,
      数码设备: deviceOf(t),
      图像宽度: t.imageWidth,
      图像高度: t.imageHeight,
      分辨率: t.resolution,
      色彩空间: t.colourSpace,
      颜色位深: t.bitsPerSample,
    }) ?? {}
  );
}

export function recordingElementsOf(t: TechnicalMetadata, kind: 'audio' | 'video'): RecordingElements {
  const picture = kind === 'video' && t.imageWidth !== undefined && t.imageHeight !== undefined ? `${t.imageWidth}x${t.imageHeight}` : undefined;
  return (
    compact({
      时长: t.durationSeconds === undefined ? undefined : Math.round(t.durationSeconds * 1000) / 1000,
      录制时间: t.capturedAt,
      音频编码: t.audioCodec,
      视频编码: kind === 'video' ? t.videoCodec : undefined,
      比特率: t.bitRate,
      采样率: t.sampleRate,
      声道数: t.channels,
      帧率: kind === 'video' ? t.frameRate : undefined,
      分辨率: picture,
      数码设备: deviceOf(t),
    }) ?? {}
  );
}

/** The group a file's 电子属性 carries, by what the file is. */
export function mediaElementsOf(format: FormatIdentification, t: TechnicalMetadata): { 照片属性: PhotoElements } | { 音视频属性: RecordingElements } | undefined {
  if (format.mediaKind === 'photo') return { 照片属性: photoElementsOf(t) };
  if (format.mediaKind === 'audio' || format.mediaKind === 'video') return { 音视频属性: recordingElementsOf(t, format.mediaKind) };
  return undefined;
}

/**
 * Mandatory media elements (`照片属性.拍摄时间`, `音视频属性.时长` …) missing from a file that carries
 * that group, each named with the file: `照片属性.拍摄时间（文件2）`.
 */
export function missingMediaElements(files: readonly Record<string, unknown>[], mandatory: readonly string[]): string[] {
  const wanted = mandatory.map((name) => name.split('.')).filter((parts): parts is [string, string] => parts.length === 2 && (parts[0] === '照片属性' || parts[0] === '音视频属性'));
  return files.flatMap((file, index) =>
    wanted
      .filter(([group]) => file[group] !== undefined)
      .filter(([group, name]) => {
        const value = (file[group] as Record<string, unknown>)[name];
        return value === undefined || value === null || value === '';
      })
      .map(([group, name]) => `${group}.${name}（文件${(file['序号'] as number | undefined) ?? index + 1}）`),
  );
}
