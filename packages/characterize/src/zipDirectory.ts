import yauzl from 'yauzl';

/**
 * Lists a ZIP's central directory with yauzl — never extracting — and reads the first bytes of
 * a few small named entries (manifests, content types). Failing to open or list rejects;
 * failing to read a wanted entry is reported per entry in `readErrors`.
 */

export interface ZipEntryInfo {
  name: string;
  compressedSize: number;
  uncompressedSize: number;
  encrypted: boolean;
}

export interface ZipDirectory {
  /** As the end-of-central-directory record states it. */
  entryCount: number;
  /** Listed entries; fewer than entryCount when `maxEntries` stopped the listing. */
  entries: ZipEntryInfo[];
  complete: boolean;
  texts: Map<string, string>;
  readErrors: Map<string, string>;
}

export interface ZipDirectoryOptions {
  maxEntries?: number;
  /** How many leading bytes of an entry to read as UTF-8 text (0 or undefined: none). */
  readBytes?: (name: string) => number | undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const gb18030 = new TextDecoder('gb18030');

/** Names without the UTF-8 flag are often GBK on Chinese systems; fall back to GB18030. */
export function decodeName(raw: Buffer, flags: number): string {
  if (flags & 0x800) return raw.toString('utf8');
  try {
    return utf8.decode(raw);
  } catch {
    return gb18030.decode(raw);
  }
}

export function readZipDirectory(filePath: string, options: ZipDirectoryOptions = {}): Promise<ZipDirectory> {
  const maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve, reject) => {
    // decodeStrings off: yauzl would reject names like '../x', which we want to see and report.
    yauzl.open(filePath, { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: true }, (openError, zip) => {
      if (openError) return reject(openError);
      const result: ZipDirectory = { entryCount: zip.entryCount, entries: [], complete: true, texts: new Map(), readErrors: new Map() };
      const finish = (error?: Error) => {
        zip.close();
        if (error) reject(error);
        else resolve(result);
      };
      zip.on('error', finish);
      zip.on('end', () => finish());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = decodeName(entry.fileName as unknown as Buffer, entry.generalPurposeBitFlag);
        const encrypted = (entry.generalPurposeBitFlag & 1) !== 0;
        result.entries.push({ name, compressedSize: entry.compressedSize, uncompressedSize: entry.uncompressedSize, encrypted });
        if (result.entries.length >= maxEntries && result.entries.length < zip.entryCount) {
          result.complete = false;
          return finish();
        }
        const wanted = options.readBytes?.(name) ?? 0;
        if (wanted <= 0 || encrypted) return zip.readEntry();
        readLeadingBytes(zip, entry, wanted).then(
          (bytes) => {
            result.texts.set(name, bytes.toString('utf8'));
            zip.readEntry();
          },
          (error: Error) => {
            result.readErrors.set(name, error.message);
            zip.readEntry();
          },
        );
      });
      zip.readEntry();
    });
  });
}

function readLeadingBytes(zip: yauzl.ZipFile, entry: yauzl.Entry, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) => {
      if (error) return reject(error);
      const parts: Buffer[] = [];
      let total = 0;
      let done = false;
      const settle = () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(parts).subarray(0, limit));
      };
      stream.on('data', (chunk: Buffer) => {
        parts.push(chunk);
        total += chunk.length;
        if (total >= limit) {
          settle();
          stream.destroy();
        }
      });
      stream.on('end', settle);
      stream.on('error', (streamError: Error) => {
        if (done) return;
        done = true;
        reject(streamError);
      });
    });
  });
}
