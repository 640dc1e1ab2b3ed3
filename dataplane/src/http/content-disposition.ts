/**
 * Content-Disposition (RFC 6266) with RFC 8187 `filename*` for names beyond ASCII: read from an
 * upload to name the file, written on a download so browsers save it instead of showing it.
 */

/** The file name a Content-Disposition header carries (`filename*` wins over `filename`). */
export function fileNameIn(header: string): string | undefined {
  const extended = /(?:^|;)\s*filename\*\s*=\s*([^;]*)/i.exec(header)?.[1]?.trim();
  const utf8 = extended ? /^utf-8'[^']*'(.+)$/i.exec(extended)?.[1] : undefined;
  if (utf8 !== undefined) {
    try {
      return decodeURIComponent(utf8);
    } catch {
      // Malformed percent-encoding: fall back to the plain parameter.
    }
  }
  const plain = /(?:^|;)\s*filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/i.exec(header)?.[1]?.trim();
  if (!plain) return undefined;
  return plain.startsWith('"') ? plain.slice(1, -1).replace(/\\(.)/g, '$1') : plain;
}

/** `attachment; filename="<ASCII stand-in>"; filename*=UTF-8''<the name, percent-encoded>` */
export function attachmentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${rfc8187(name)}`;
}

/** Percent-encodes all but RFC 8187's attr-char (encodeURIComponent leaves ' ( ) * alone). */
function rfc8187(text: string): string {
  return encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
