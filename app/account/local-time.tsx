"use client";

import { useSyncExternalStore } from "react";

const noSubscription = () => () => {};

/**
 * A date in the reader's own time zone and locale. The server cannot know
 * the zone, so it renders UTC; once hydrated, the browser's own rendering
 * replaces it (the store's server snapshot is false, its client one true).
 */
export function LocalTime({ date }: { date: Date }) {
  const inBrowser = useSyncExternalStore(noSubscription, () => true, () => false);
  const iso = date.toISOString();
  return (
    <time dateTime={iso}>
      {inBrowser ? date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }) : `${iso.slice(0, 16).replace("T", " ")} UTC`}
    </time>
  );
}
