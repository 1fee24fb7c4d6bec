/**
 * Authored inline markdown as plain text, for the places that take no
 * markup: aria-labels, tooltips. Drops the ticks of inline code (whose
 * content is literal), emphasis and strikethrough delimiters, and link
 * syntax (keeping the link text); backslash escapes give their character.
 * A delimiter with spaces on both sides ("2 * 3") or inside a word
 * ("limit_in_bytes") is text, as in CommonMark.
 */
export function markdownText(markdown: string): string {
  let out = "";
  let i = 0;
  const s = markdown;
  const isSpace = (c: string | undefined) => c === undefined || /\s/.test(c);
  const isWord = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);
  while (i < s.length) {
    const c = s[i]!;
    if (c === "\\" && i + 1 < s.length && /[\\`*_{}[\]()#+\-.!~|<>]/.test(s[i + 1]!)) {
      out += s[i + 1];
      i += 2;
      continue;
    }
    if (c === "`") {
      const run = /^`+/.exec(s.slice(i))![0];
      const close = s.indexOf(run, i + run.length);
      if (close > -1) {
        const code = s.slice(i + run.length, close);
        out += code.length > 2 && code.startsWith(" ") && code.endsWith(" ") ? code.slice(1, -1) : code;
        i = close + run.length;
        continue;
      }
      out += run;
      i += run.length;
      continue;
    }
    if (c === "[" || (c === "!" && s[i + 1] === "[")) {
      const link = /^!?\[([^\]]*)\]\([^)\s]*(?:\s+"[^"]*")?\)/.exec(s.slice(i));
      if (link) {
        out += markdownText(link[1]!);
        i += link[0].length;
        continue;
      }
    }
    if (c === "*" || c === "_" || (c === "~" && s[i + 1] === "~")) {
      const run = new RegExp(`^\\${c}+`).exec(s.slice(i))![0];
      const before = s[i - 1];
      const after = s[i + run.length];
      const flanking = !isSpace(after) || !isSpace(before);
      // "_" inside a word is part of it (snake_case); "*" and "~~" may sit inside one.
      const intraword = c === "_" && isWord(before) && isWord(after);
      if (flanking && !intraword) {
        i += run.length;
        continue;
      }
      out += run;
      i += run.length;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
