/**
 * A file's type as a reviewer wants it named: from its first bytes when they were fetched (a PNG is a PNG
 * whatever it is called), else from its name's extension. A small table of common types, not a catalogue.
 */
export interface FileType {
  /** A media type, e.g. `image/png`. */
  readonly mediaType: string;
  /** True for types that are never shown as text. */
  readonly binary: boolean;
}

const MAGIC: readonly (readonly [bytes: readonly (number | null)[], mediaType: string])[] = [
  [[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "image/png"],
  [[0xff, 0xd8, 0xff], "image/jpeg"],
  [[0x47, 0x49, 0x46, 0x38], "image/gif"],
  [[0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x45, 0x42, 0x50], "image/webp"],
  [[0x52, 0x49, 0x46, 0x46, null, null, null, null, 0x57, 0x41, 0x56, 0x45], "audio/wav"],
  [[0x42, 0x4d], "image/bmp"],
  [[0x00, 0x00, 0x01, 0x00], "image/vnd.microsoft.icon"],
  [[0x25, 0x50, 0x44, 0x46, 0x2d], "application/pdf"],
  [[0x50, 0x4b, 0x03, 0x04], "application/zip"],
  [[0x1f, 0x8b], "application/gzip"],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], "application/x-7z-compressed"],
  [[0x00, 0x61, 0x73, 0x6d], "application/wasm"],
  [[0x4d, 0x5a], "application/vnd.microsoft.portable-executable"],
  [[0x7f, 0x45, 0x4c, 0x46], "application/x-elf"],
  [[0x49, 0x44, 0x33], "audio/mpeg"],
  [[0x4f, 0x67, 0x67, 0x53], "audio/ogg"],
  [[0x66, 0x4c, 0x61, 0x43], "audio/flac"],
  [[null, null, null, null, 0x66, 0x74, 0x79, 0x70], "video/mp4"],
  [[0x1a, 0x45, 0xdf, 0xa3], "video/webm"],
  [[0x77, 0x4f, 0x46, 0x32], "font/woff2"],
  [[0x77, 0x4f, 0x46, 0x46], "font/woff"],
];

/** Binary unless listed as text below. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  bmp: "image/bmp",
  ico: "image/vnd.microsoft.icon",
  tif: "image/tiff",
  tiff: "image/tiff",
  svg: "image/svg+xml",
  pdf: "application/pdf",
  zip: "application/zip",
  gz: "application/gzip",
  tgz: "application/gzip",
  "7z": "application/x-7z-compressed",
  tar: "application/x-tar",
  wasm: "application/wasm",
  exe: "application/vnd.microsoft.portable-executable",
  dll: "application/vnd.microsoft.portable-executable",
  msix: "application/msix",
  appx: "application/appx",
  mp3: "audio/mpeg",
  wav: "audio/wav",
  ogg: "audio/ogg",
  flac: "audio/flac",
  mp4: "video/mp4",
  webm: "video/webm",
  mov: "video/quicktime",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  otf: "font/otf",
  md: "text/markdown",
  txt: "text/plain",
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  ts: "text/typescript",
  json: "application/json",
  xml: "application/xml",
  yml: "application/yaml",
  yaml: "application/yaml",
  csv: "text/csv",
};

const TEXT_TYPES = new Set(["image/svg+xml", "application/json", "application/xml", "application/yaml"]);

export function fileType(path: string, head?: Uint8Array): FileType | undefined {
  const mediaType = (head && byMagic(head)) ?? byExtension(path);
  if (!mediaType) return undefined;
  return { mediaType, binary: !mediaType.startsWith("text/") && !TEXT_TYPES.has(mediaType) };
}

function byMagic(head: Uint8Array): string | undefined {
  const found = MAGIC.find(
    ([bytes]) => head.length >= bytes.length && bytes.every((byte, i) => byte === null || head[i] === byte),
  );
  return found?.[1];
}

function byExtension(path: string): string | undefined {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return undefined;
  const extension = name.slice(dot + 1).toLowerCase();
  return Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension] : undefined;
}
