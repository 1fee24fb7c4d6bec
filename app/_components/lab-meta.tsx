/** Difficulty, duration and environment of a lab, as small labelled badges. */
export function LabMeta({ difficulty, durationMinutes, environment }: { difficulty: string; durationMinutes: number; environment: string }) {
  const badge = "rounded border border-zinc-200 px-1.5 py-0.5 text-xs text-zinc-600 dark:border-zinc-700 dark:text-zinc-300";
  const duration = durationMinutes >= 60 ? `${Math.floor(durationMinutes / 60)} h ${durationMinutes % 60 ? `${durationMinutes % 60} min` : ""}` : `${durationMinutes} min`;
  return (
    <ul className="flex flex-wrap gap-1.5" aria-label="Lab details">
      <li className={badge}>{difficulty}</li>
      <li className={badge}>{duration.trim()}</li>
      <li className={badge}>{environment === "cluster" ? "kind cluster" : "node"}</li>
    </ul>
  );
}
