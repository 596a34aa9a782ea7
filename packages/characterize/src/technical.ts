import type { Tags } from 'exiftool-vendored';
import type { SignatureCheck } from './ofd.ts';

/** The technical metadata an archive keeps about a file, from ExifTool's tags. Absent values are omitted. */
export interface TechnicalMetadata {
  pageCount?: number;
  author?: string;
  title?: string;
  creatingApplication?: string;
  producer?: string;
  created?: string;
  modified?: string;
  pdfVersion?: string;
  /** e.g. "PDF/A-2b", as the file's XMP claims it. */
  pdfaClaim?: string;
  encrypted?: boolean;
  imageWidth?: number;
  imageHeight?: number;
  resolution?: string;
  colourSpace?: string;
  bitsPerSample?: number;
  durationSeconds?: number;
  audioCodec?: string;
  videoCodec?: string;
  sampleRate?: number;
  channels?: number;
  /** Camera and photo (DA/T 54 elements, mediaRecord.ts): when taken or recorded (EXIF DateTimeOriginal, else the CreateDate a camera or encoder set), Artist, Make, Model, GPS. */
  capturedAt?: string;
  photographer?: string;
  cameraMake?: string;
  cameraModel?: string;
  /** Signed decimal degrees (south and west negative), metres. */
  gpsLatitude?: number;
  gpsLongitude?: number;
  gpsAltitude?: number;
  /** Audio and video (DA/T 63): e.g. "128 kbps", frames per second. */
  bitRate?: string;
  frameRate?: number;
  /** What ExifTool itself warned about or could not read. */
  warnings?: string[];
  /** Electronic signatures and seals found in the file (OFD), each with its verification. */
  signatures?: SignatureCheck[];
}

type Loose = Record<string, unknown>;

const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object' && 'rawValue' in (v as Loose)) return String((v as Loose).rawValue);
  if (typeof v === 'object' && typeof (v as { toISOString?: unknown }).toISOString === 'function') return (v as { toISOString(): string }).toISOString();
  if (Array.isArray(v)) return v.map(String).join('; ');
  return String(v);
};
const num = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : Number.parseFloat(String(v ?? ''));
  return Number.isFinite(n) ? n : undefined;
};
const first = (t: Loose, ...names: string[]) => names.map((n) => t[n]).find((v) => v !== undefined && v !== null && v !== '');

/** Durations come as seconds, "0:01:23" or "12.5 s". */
function seconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  const s = String(v ?? '');
  const clock = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(s);
  if (clock) return Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3]);
  return num(s.replace(/\s*s(ec)?\s*(\(approx\))?$/, ''));
}

/** MP3 and kin: "MPEG-1 Layer 3" from MPEGAudioVersion and AudioLayer. */
function mpegAudioOf(t: Loose): string | undefined {
  const version = text(t.MPEGAudioVersion);
  if (version === undefined) return undefined;
  const layer = text(t.AudioLayer);
  return `MPEG-${version}${layer ? ` Layer ${layer}` : ''}`;
}

/** MP3's ChannelMode names the channels rather than counting them. */
function channelsOf(mode: unknown): number | undefined {
  const m = text(mode)?.toLowerCase();
  if (m === undefined) return undefined;
  if (m.includes('single') || m === 'mono') return 1;
  if (m.includes('stereo') || m.includes('dual')) return 2;
  return undefined;
}

/** A bit rate as ExifTool gives it ("128 kbps") or as bits per second (45076 → "45 kbps"). */
function bitRateOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return `${Math.round(v / 1000)} kbps`;
  return text(v);
}

/** A date a camera or encoder actually set: QuickTime's "0000:00:00 00:00:00" means none. */
function realDate(v: unknown): string | undefined {
  const s = text(v);
  return s === undefined || /^0000[:-]00[:-]00/.test(s) ? undefined : s;
}

export function technicalMetadataOf(tags: Tags): TechnicalMetadata {
  const t = tags as unknown as Loose;
  const part = text(first(t, 'Part'));
  const conformance = text(first(t, 'Conformance'));
  const xres = num(t.XResolution);
  const yres = num(t.YResolution);
  const unit = text(t.ResolutionUnit);
  const warnings = [t.Warning, t.Error].flatMap((w) => (w === undefined ? [] : Array.isArray(w) ? w.map(String) : [String(w)]));
  const result: TechnicalMetadata = {
    pageCount: num(first(t, 'PageCount', 'Pages')),
    author: text(first(t, 'Author', 'Creator', 'Artist', 'LastModifiedBy')),
    title: text(t.Title),
    creatingApplication: text(first(t, 'CreatorTool', 'Application', 'Software', 'Generator', 'AppVersion')),
    producer: text(t.Producer),
    created: text(first(t, 'CreateDate', 'DateTimeOriginal', 'CreationDate')),
    modified: text(first(t, 'ModifyDate', 'ModDate')),
    pdfVersion: text(t.PDFVersion),
    pdfaClaim: part ? `PDF/A-${part}${(conformance ?? '').toLowerCase()}` : undefined,
    encrypted: t.Encryption !== undefined ? true : undefined,
    imageWidth: num(t.ImageWidth),
    imageHeight: num(t.ImageHeight),
    resolution: xres && yres ? `${xres}x${yres}${unit ? ` ${unit}` : ''}` : undefined,
    colourSpace: text(first(t, 'ColorSpaceData', 'ColorSpace', 'PhotometricInterpretation', 'ColorType', 'ColorMode')),
    bitsPerSample: num(first(t, 'BitsPerSample', 'BitDepth')),
    durationSeconds: seconds(first(t, 'Duration', 'MediaDuration', 'TrackDuration')),
    audioCodec: text(first(t, 'AudioFormat', 'Encoding', 'AudioCodec')) ?? mpegAudioOf(t),
    videoCodec: text(first(t, 'CompressorID', 'VideoCodec', 'CompressorName')),
    sampleRate: num(first(t, 'SampleRate', 'AudioSampleRate')),
    channels: num(first(t, 'NumChannels', 'AudioChannels')) ?? channelsOf(t.ChannelMode),
    capturedAt: realDate(first(t, 'DateTimeOriginal', 'CreateDate', 'MediaCreateDate')),
    photographer: text(first(t, 'Artist', 'Creator', 'By-line')),
    cameraMake: text(t.Make),
    cameraModel: text(t.Model),
    gpsLatitude: num(t.GPSLatitude),
    gpsLongitude: num(t.GPSLongitude),
    gpsAltitude: num(t.GPSAltitude),
    bitRate: bitRateOf(first(t, 'AvgBitrate', 'AudioBitrate', 'AverageBitrate', 'Bitrate')),
    frameRate: num(first(t, 'VideoFrameRate', 'FrameRate')),
    warnings: warnings.length > 0 ? warnings : undefined,
  };
  return Object.fromEntries(Object.entries(result).filter(([, v]) => v !== undefined)) as TechnicalMetadata;
}
