/**
 * Learning paths. A lab's frontmatter may place it in a track (`track:` the
 * path's name, `order:` its place, 1 first). The catalog shows each track's
 * labs in order with the learner's next one marked, and a lab's page points
 * to the lab after it. Labs outside any track are listed after the tracks.
 */

/** What arranging needs of a lab: a catalog item or a full definition. */
export interface TrackedLab {
  slug: string;
  track?: string | null;
  order?: number | null;
}

/** What arranging needs of a learner's progress in one lab. */
export interface TrackProgress {
  slug: string;
  status: "in-progress" | "completed";
}

export interface Track<L extends TrackedLab> {
  name: string;
  /** In order: by `order`, then by slug when two labs share a place (a problem `labs validate` reports). */
  labs: L[];
  /** Labs of the track the learner completed. */
  completed: number;
  /** The first lab of the track the learner has not completed; null when all are done. */
  nextUp: string | null;
}

/** Tracks ordered by their name, then labs without a track in the catalog's order. */
export function arrangeTracks<L extends TrackedLab>(labs: readonly L[], progress: readonly TrackProgress[] = []): { tracks: Track<L>[]; untracked: L[] } {
  const done = new Set(progress.filter((p) => p.status === "completed").map((p) => p.slug));
  const byName = new Map<string, L[]>();
  const untracked: L[] = [];
  for (const lab of labs) {
    if (!lab.track) untracked.push(lab);
    else byName.set(lab.track, [...(byName.get(lab.track) ?? []), lab]);
  }
  const tracks = [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, members]) => {
      const ordered = [...members].sort(inTrackOrder);
      return {
        name,
        labs: ordered,
        completed: ordered.filter((l) => done.has(l.slug)).length,
        nextUp: ordered.find((l) => !done.has(l.slug))?.slug ?? null,
      };
    });
  return { tracks, untracked };
}

/** The lab after `slug` in its track, or null (last of its track, or in none). */
export function nextInTrack<L extends TrackedLab>(labs: readonly L[], slug: string): L | null {
  const lab = labs.find((l) => l.slug === slug);
  if (!lab?.track) return null;
  const ordered = labs.filter((l) => l.track === lab.track).sort(inTrackOrder);
  return ordered[ordered.indexOf(lab) + 1] ?? null;
}

/**
 * Two labs at the same place of one track: which comes first is then an
 * accident of their names. One problem per later lab, at its `order:` line.
 */
export function trackProblems(
  labs: readonly (TrackedLab & { sourcePath: string; orderAt: { line: number; column: number } | null })[],
): { file: string; line: number; column: number; message: string }[] {
  const first = new Map<string, string>();
  const problems: { file: string; line: number; column: number; message: string }[] = [];
  for (const lab of [...labs].sort((a, b) => a.slug.localeCompare(b.slug))) {
    if (!lab.track || lab.order == null) continue;
    const key = `${lab.track}\u0000${lab.order}`;
    const taken = first.get(key);
    if (taken === undefined) {
      first.set(key, lab.slug);
      continue;
    }
    const at = lab.orderAt ?? { line: 1, column: 1 };
    problems.push({
      file: lab.sourcePath,
      ...at,
      message: `order ${lab.order} in track "${lab.track}" is already taken by ${taken}; give each lab of a track its own place`,
    });
  }
  return problems;
}

function inTrackOrder(a: TrackedLab, b: TrackedLab): number {
  return (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER) || a.slug.localeCompare(b.slug);
}
