/** "due 3 Dec 2026, 17:00" or "no due date" (server and browser format alike: fixed locale, UTC). */
export function formatDue(dueAt: Date | null): string {
  return dueAt ? `due ${formatDate(dueAt)}` : "no due date";
}

export function formatDate(d: Date): string {
  return d.toLocaleString("en-GB", { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZone: "UTC" }) + " UTC";
}

/** "4 min", "1 h 12 min": how long a learner took. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
