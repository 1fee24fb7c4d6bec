/**
 * Lab files are UTF-8. A file saved in another encoding (Latin-1 from an old
 * editor, a cut multi-byte sequence) must be reported, not decoded with
 * U+FFFD in place of what the author wrote: a lenient decoder would let a
 * garbled title or check reach learners without anyone noticing.
 */

/** One byte sequence that is not UTF-8, located like a compiler error. */
export interface InvalidUtf8 {
  /** 0-based byte offset in the file. */
  offset: number;
  /** 1-based line and column (in characters, as the decoded text has them). */
  line: number;
  column: number;
  /** The offending bytes (the longest start of a sequence that was cut short, or one stray byte). */
  bytes: number[];
}

const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/**
 * Decodes `bytes` (a leading byte order mark is dropped). When they are not
 * all UTF-8, `text` is the lenient decoding, so the rest of the file can
 * still be checked, and `invalid` says where each bad sequence is.
 */
export function decodeUtf8(bytes: Uint8Array): { text: string; invalid: InvalidUtf8[] } {
  try {
    return { text: strict.decode(bytes), invalid: [] };
  } catch {
    return { text: lenient.decode(bytes), invalid: locateInvalid(bytes) };
  }
}

/** Allowed range of the byte after each lead byte (Unicode table 3-7), and how many continuation bytes follow in all. */
function sequenceOf(lead: number): { count: number; lo: number; hi: number } | null {
  if (lead >= 0xc2 && lead <= 0xdf) return { count: 1, lo: 0x80, hi: 0xbf };
  if (lead === 0xe0) return { count: 2, lo: 0xa0, hi: 0xbf }; // no overlong forms
  if (lead === 0xed) return { count: 2, lo: 0x80, hi: 0x9f }; // no surrogates
  if (lead >= 0xe1 && lead <= 0xef) return { count: 2, lo: 0x80, hi: 0xbf };
  if (lead === 0xf0) return { count: 3, lo: 0x90, hi: 0xbf };
  if (lead === 0xf4) return { count: 3, lo: 0x80, hi: 0x8f }; // nothing past U+10FFFF
  if (lead >= 0xf1 && lead <= 0xf3) return { count: 3, lo: 0x80, hi: 0xbf };
  return null;
}

/** Every ill-formed sequence, split the way decoders place U+FFFD (maximal subparts). */
function locateInvalid(bytes: Uint8Array): InvalidUtf8[] {
  const out: InvalidUtf8[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      if (lead === 0x0a) {
        line++;
        lineStart = i + 1;
      }
      i++;
      continue;
    }
    const seq = sequenceOf(lead);
    let length = 1;
    if (seq) {
      for (let k = 1; k <= seq.count; k++) {
        const b = bytes[i + k];
        const [lo, hi] = k === 1 ? [seq.lo, seq.hi] : [0x80, 0xbf];
        if (b === undefined || b < lo || b > hi) break;
        length++;
      }
      if (length === seq.count + 1) {
        i += length;
        continue;
      }
    }
    // Columns count characters, as editors do: decode the line up to here.
    const column = lenient.decode(bytes.subarray(lineStart, i)).length + 1;
    out.push({ offset: i, line, column, bytes: [...bytes.subarray(i, i + length)] });
    i += length;
  }
  return out;
}
