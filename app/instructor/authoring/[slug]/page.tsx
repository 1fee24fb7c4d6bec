import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { accessDeniedMessage } from "../../../_components/access-denied";
import { BackLink } from "../../../_components/back-link";
import { LabEditorInBrowser } from "../../../_components/lab-editor/in-browser";
import { Truncated } from "../../../_components/truncated";
import { api } from "../../../_trpc/server";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  return { title: `Edit ${(await params).slug}` };
}

/** The browser editor of one lab (read-only for built-in labs). The API decides who may see and change it. */
export default async function LabAuthoringPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const caller = await api();
  let listed, latest;
  try {
    listed = await caller.authoring.versions({ slug });
    latest = listed.versions.length ? await caller.authoring.version({ slug }) : null;
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  }
  const { lab, versions } = listed;
  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/instructor/authoring" label="Write labs" />
        <h1 className="mt-1 flex min-w-0 items-baseline gap-2 text-2xl font-semibold" data-testid="editor-lab-title">
          <Truncated text={lab.title} className="min-w-0" />
          <code className="shrink-0 text-sm font-normal text-zinc-500">{lab.slug}</code>
          {lab.origin === "builtin" && <span className="shrink-0 rounded bg-zinc-100 px-1.5 text-xs font-normal text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">built-in, read-only</span>}
        </h1>
        {lab.owner && (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            Owner: <Truncated text={lab.owner} className="inline-block max-w-64 align-bottom" />
          </p>
        )}
      </div>
      {latest ? <LabEditorInBrowser lab={lab} versions={versions} initial={latest} /> : <p className="text-zinc-600 dark:text-zinc-400">This lab has no saved version yet.</p>}
    </div>
  );
}
