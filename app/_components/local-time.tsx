"use client";

import { useSyncExternalStore } from "react";
import { formatDate, utcPlaceholder } from "./dates";

const noSubscription = () => () => {};

/** True once hydrated in the browser (the store's server snapshot is false, its client one true). */
export function useInBrowser(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

/**
 * A date in the reader's own time zone and locale (dates.ts): every date the
 * UI shows goes through here. The server cannot know the zone, so it renders
 * UTC; once hydrated, the browser's own rendering replaces it.
 */
export function LocalTime({ date, dateOnly = false }: { date: Date | string; dateOnly?: boolean }) {
  const inBrowser = useInBrowser();
  const iso = new Date(date).toISOString();
  return <time dateTime={iso}>{inBrowser ? formatDate(date, { dateOnly }) : utcPlaceholder(date, dateOnly)}</time>;
}

/** "due <date>" or "no due date". */
export function DueDate({ dueAt }: { dueAt: Date | string | null }) {
  return dueAt ? (
    <>
      due <LocalTime date={dueAt} />
    </>
  ) : (
    <>no due date</>
  );
}
