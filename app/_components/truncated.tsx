/**
 * A value someone typed (a name, a title, a URL, an email) on one line, cut
 * with "…" where its box ends; the whole value is in the tooltip. Without
 * this a long value with no spaces sets the width of its table or row, and
 * a 10,000-character name once made the dashboard and the Accounts page
 * 105,000 px wide (issue 16).
 *
 * `className` gives the box its display and its bound: a maximum width
 * (`block max-w-72`, `inline-block max-w-48 align-bottom`), or `min-w-0` as
 * a flex item whose row bounds it. Table cells ignore max-width, so in a
 * table put the bound here, on the value, not on the cell.
 */
export function Truncated({ text, className }: { text: string; className: string }) {
  return (
    <span title={text} className={`truncate ${className}`}>
      {text}
    </span>
  );
}
