/**
 * The lab page shows the lab's title as its heading, above the Start box, so
 * a body that opens with its own `# Title` line would say it twice: the
 * steps start after it. Only a level-1 heading that comes first is taken
 * (ATX `# …` or setext `…\n===`); anything else is left as written.
 */
export function withoutTitleHeading(markdown: string): string {
  const atx = /^\s*# [^\n]*(?:\n|$)/.exec(markdown);
  if (atx) return markdown.slice(atx[0].length);
  const setext = /^\s*[^\n#>`\-*\s][^\n]*\n=+[ \t]*(?:\n|$)/.exec(markdown);
  if (setext) return markdown.slice(setext[0].length);
  return markdown;
}
