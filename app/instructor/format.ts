/** "4 min", "1 h 12 min": how long a learner took. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return "—";
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
