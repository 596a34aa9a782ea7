import { runTool } from './process.ts';

/** The ffmpeg arguments for each preservation target. */
const TARGETS = {
  PNG: ['-frames:v', '1', '-c:v', 'png'],
  TIFF: ['-frames:v', '1', '-c:v', 'tiff', '-compression_algo', 'lzw'],
  WAV: ['-vn', '-c:a', 'pcm_s16le'],
  MP3: ['-vn', '-c:a', 'libmp3lame', '-q:a', '2'],
  MP4: ['-c:v', 'libx264', '-preset', 'medium', '-crf', '18', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '192k', '-movflags', '+faststart'],
} as const;
export type FfmpegTarget = keyof typeof TARGETS;

/**
 * The demuxers ffmpeg may use on an input: the image, audio and video formats the conversion policy
 * can hand to ffmpeg, and nothing that follows references. Playlists and lists (hls, dash, concat,
 * ffmetadata …) would make ffmpeg open other URLs or local files named inside the untrusted input;
 * the protocol whitelist alone does not stop a playlist naming another local file. A policy rule for
 * a container not listed here fails with "Format not on whitelist": add its demuxer (`ffmpeg
 * -demuxers`) after checking it reads nothing but its own bytes.
 */
export const FFMPEG_DEMUXERS = [
  // images (image2 reads exactly the named file: our paths never hold a % pattern)
  'image2',
  'bmp_pipe',
  'gif',
  'gif_pipe',
  'webp_pipe',
  'png_pipe',
  'jpeg_pipe',
  'tiff_pipe',
  // audio
  'aac',
  'amr',
  'amrnb',
  'amrwb',
  'flac',
  'mp3',
  'ogg',
  'wav',
  // audio and video containers (mov also HEIC/M4A; asf is WMA/WMV; mov's external data references stay off by default)
  'mov',
  'avi',
  'asf',
  'matroska',
  'flv',
  'mpeg',
  'mpegts',
  'mpegvideo',
] as const;

/**
 * Input options: ffmpeg reads only local files (no network, no pipes, no data: URLs) and only
 * through the demuxers above. Nested opens inherit both lists.
 */
export const FFMPEG_INPUT_OPTIONS = ['-protocol_whitelist', 'file', '-format_whitelist', FFMPEG_DEMUXERS.join(',')] as const;

export function isFfmpegTarget(value: string): value is FfmpegTarget {
  return value in TARGETS;
}

export async function ffmpegConvert(args: { input: string; output: string; target: FfmpegTarget; timeoutMs: number; signal?: AbortSignal }): Promise<{ options: string[] }> {
  const options = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...TARGETS[args.target]];
  // `file:` so a path is never read as another protocol's URL.
  await runTool('ffmpeg', 'ffmpeg', [...FFMPEG_INPUT_OPTIONS, '-i', `file:${args.input}`, ...options, args.output], { timeoutMs: args.timeoutMs, signal: args.signal });
  return { options: [...FFMPEG_INPUT_OPTIONS, ...options] };
}
