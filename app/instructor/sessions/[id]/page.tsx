import { TRPCError } from "@trpc/server";
import { notFound } from "next/navigation";
import { api } from "../../../_trpc/server";
import { SessionDrilldown } from "./session-drilldown";

export const metadata = { title: "Learner session" };

/** One learner's session for their instructor: checklist, check history, live terminal (read-only). */
export default async function SessionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await api();
  try {
    await caller.cohorts.sessionDetail({ sessionId: id });
  } catch (err) {
    // Learners get FORBIDDEN from the API; the page says no more than "not found".
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "FORBIDDEN")) notFound();
    if (err instanceof TRPCError && err.code === "UNAUTHORIZED") return <p className="text-zinc-600 dark:text-zinc-400">{err.message}</p>;
    throw err;
  }
  return <SessionDrilldown sessionId={id} />;
}
