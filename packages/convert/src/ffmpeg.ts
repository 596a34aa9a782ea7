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

export function isFfmpegTarget(value: string): value is FfmpegTarget {
  return value in TARGETS;
}

export async function ffmpegConvert(args: { input: string; output: string; target: FfmpegTarget; timeoutMs: number }): Promise<{ options: string[] }> {
  const options = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...TARGETS[args.target]];
  await runTool('ffmpeg', 'ffmpeg', ['-i', args.input, ...options, args.output], { timeoutMs: args.timeoutMs });
  return { options };
}
