/**
 * The one date format of the UI: the viewer's locale and time zone, a
 * medium date and a short time ("3 Dec 2026, 17:05" in en-GB,
 * "Dec 3, 2026, 5:05 PM" in en-US). Formatting happens in the browser (the
 * server knows neither); before hydration the server writes UTC in ISO form
 * (see local-time.tsx).
 */

export interface DateFormat {
  /** Leave the time out ("3 Dec 2026"). */
  dateOnly?: boolean;
  /** Tests and the server's placeholder; the browser's own when absent. */
  locale?: string;
  timeZone?: string;
}

/** A date as the viewer reads dates (call in the browser, or pass locale and zone). */
export function formatDate(date: Date | string, { dateOnly = false, locale, timeZone }: DateFormat = {}): string {
  return new Date(date).toLocaleString(locale, { dateStyle: "medium", ...(dateOnly ? {} : { timeStyle: "short" }), ...(timeZone ? { timeZone } : {}) });
}

/** What the server renders before the browser formats: "2026-12-03 17:05 UTC" (or "2026-12-03"). */
export function utcPlaceholder(date: Date | string, dateOnly = false): string {
  const iso = new Date(date).toISOString();
  return dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
