/**
 * Text operators become anchored or unanchored regular expressions over *escaped* user text:
 * every character that means something to PCRE (the server) or to ECMAScript (the in-repo test
 * server) is backslash-escaped, and control characters become `\xHH`, which both engines read
 * as the literal character. No extended (`x`) or unicode (`u`) flag is ever set, so every other
 * character is already literal. A user string is only ever matched literally.
 */
const META = /[\\^$.*+?()[\]{}|]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/g;

export function escapeRegex(text: string): string {
  return text
    .replace(META, (ch) => `\\${ch}`)
    .replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * `$` matches before a final newline in PCRE; "not followed by any character" is the end of
 * the subject in both engines.
 */
export const END_OF_TEXT = '(?![\\s\\S])';

export type TextMatch = 'contains' | 'startsWith' | 'endsWith';

export function textPattern(match: TextMatch, text: string): string {
  const body = escapeRegex(text);
  switch (match) {
    case 'contains':
      return body;
    case 'startsWith':
      return `^${body}`;
    case 'endsWith':
      return `${body}${END_OF_TEXT}`;
  }
}
