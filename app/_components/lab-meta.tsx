/** How hard, in words and as a meter of 1 to 3 steps (the word carries the meaning; the meter is for the eye). */
const LEVEL: Record<string, { steps: number; colour: string }> = {
  beginner: { steps: 1, colour: "text-emerald-600 dark:text-emerald-400" },
  intermediate: { steps: 2, colour: "text-amber-600 dark:text-amber-400" },
  advanced: { steps: 3, colour: "text-rose-600 dark:text-rose-400" },
};

export function Difficulty({ difficulty }: { difficulty: string }) {
  const level = LEVEL[difficulty] ?? { steps: 0, colour: "text-zinc-500" };
  return (
    <span className="inline-flex items-center gap-1.5" data-testid="difficulty" data-difficulty={difficulty}>
      <svg viewBox="0 0 14 12" className={`h-3 w-3.5 ${level.colour}`} aria-hidden>
        {[0, 1, 2].map((i) => (
          <rect key={i} x={i * 5} y={8 - i * 4} width="4" height={4 + i * 4} rx="1" fill="currentColor" opacity={i < level.steps ? 1 : 0.25} />
        ))}
      </svg>
      {difficulty}
    </span>
  );
}

/** "15 min", "1 h 30 min". */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ""}`;
}

/** Difficulty, duration, environment and, when known, the number of tasks of a lab, as small labelled badges. */
export function LabMeta({ difficulty, durationMinutes, environment, taskCount }: { difficulty: string; durationMinutes: number; environment: string; taskCount?: number }) {
  const badge = "rounded border border-zinc-200 px-1.5 py-0.5 text-xs text-zinc-600 dark:border-zinc-700 dark:text-zinc-300";
  return (
    <ul className="flex flex-wrap gap-1.5" aria-label="Lab details">
      <li className={badge}>
        <Difficulty difficulty={difficulty} />
      </li>
      <li className={badge}>{formatMinutes(durationMinutes)}</li>
      <li className={badge}>{environment === "cluster" ? "kind cluster" : "node"}</li>
      {taskCount !== undefined && taskCount > 0 && (
        <li className={badge}>
          {taskCount} task{taskCount === 1 ? "" : "s"}
        </li>
      )}
    </ul>
  );
}
