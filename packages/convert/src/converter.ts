import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { ConversionError } from './errors.ts';
import { ffmpegConvert, isFfmpegTarget } from './ffmpeg.ts';
import { ghostscriptToPdfA } from './ghostscript.ts';
import { LibreOfficePool } from './libreofficePool.ts';
import { TARGET_OUTPUTS, type ConversionPolicy, type ConversionTarget, type ConversionTool } from './policy.ts';
import { toolVersion } from './process.ts';

export interface ConversionResult {
  output: string;
  tool: ConversionTool;
  toolVersion: string;
  /** What the tool was told, for the PREMIS event. */
  options: string[];
  target: ConversionTarget;
  ms: number;
}

/**
 * Runs the tools the conversion policy names: a pool of warm LibreOffice instances, Ghostscript
 * and ffmpeg. One per worker process; `close` stops the LibreOffice instances.
 */
export class Converter {
  readonly policy: ConversionPolicy;
  readonly #pool: LibreOfficePool;
  readonly #timeoutMs: number;
  readonly #versions = new Map<ConversionTool, Promise<string>>();

  constructor(options: { policy: ConversionPolicy; libreOffice: { size: number; python: string; workDir: string }; timeoutMs: number }) {
    this.policy = options.policy;
    this.#timeoutMs = options.timeoutMs;
    this.#pool = new LibreOfficePool({ ...options.libreOffice, timeoutMs: options.timeoutMs });
  }

  async start(): Promise<void> {
    await this.#pool.start();
  }

  version(tool: ConversionTool): Promise<string> {
    if (tool === 'libreoffice') return Promise.resolve(this.#pool.version);
    let version = this.#versions.get(tool);
    if (!version) {
      version = tool === 'ghostscript' ? toolVersion('gs', ['--version']).then((v) => `Ghostscript ${v}`) : toolVersion('ffmpeg', ['-version']);
      this.#versions.set(tool, version);
    }
    return version;
  }

  /**
   * Converts `input` into `outputDir/<stem>.<ext>` with the given tool; never touches the input.
   * `signal` stops Ghostscript or ffmpeg at once; a LibreOffice conversion runs to its own timeout
   * (stopping it would cost the warm instance).
   */
  async convert(args: { input: string; outputDir: string; stem: string; tool: ConversionTool; target: ConversionTarget; signal?: AbortSignal }): Promise<ConversionResult> {
    args.signal?.throwIfAborted();
    await mkdir(args.outputDir, { recursive: true });
    const output = path.join(args.outputDir, `${args.stem}.${TARGET_OUTPUTS[args.target].extension}`);
    const started = performance.now();
    let options: string[];
    const part = Number(args.target.match(/^PDF\/A-(\d)/)?.[1] ?? 2) as 1 | 2 | 3;
    switch (args.tool) {
      case 'libreoffice': {
        if (!args.target.startsWith('PDF/A')) throw new ConversionError('libreoffice', `cannot produce ${args.target}`, { retryable: false });
        const result = await this.#pool.toPdfA(args.input, output, part);
        options = [`filter=${result.filter}`, `SelectPdfVersion=${part}`, 'UseTaggedPDF=true'];
        break;
      }
      case 'ghostscript':
        ({ options } = await ghostscriptToPdfA({ input: args.input, output, workDir: args.outputDir, part, timeoutMs: this.#timeoutMs, signal: args.signal }));
        break;
      case 'ffmpeg':
        if (!isFfmpegTarget(args.target)) throw new ConversionError('ffmpeg', `cannot produce ${args.target}`, { retryable: false });
        ({ options } = await ffmpegConvert({ input: args.input, output, target: args.target, timeoutMs: this.#timeoutMs, signal: args.signal }));
        break;
    }
    return { output, tool: args.tool, toolVersion: await this.version(args.tool), options, target: args.target, ms: Math.round(performance.now() - started) };
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
