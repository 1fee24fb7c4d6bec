import { TRPCError } from "@trpc/server";
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import ReactMarkdown from "react-markdown";
import rehypeHighlight from "rehype-highlight";
import remarkGfm from "remark-gfm";
import { LabMeta } from "../../_components/lab-meta";
import { SessionPanel } from "../../_components/session-panel";
import { api } from "../../_trpc/server";

export const dynamic = "force-dynamic";

async function loadLab(slug: string) {
  try {
    return await (await api()).labs.bySlug({ slug });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) notFound();
    throw err;
  }
}

export async function generateMetadata({ params }: { params: Promise<{ slug: string }> }): Promise<Metadata> {
  const lab = await loadLab((await params).slug);
  return { title: lab.title, description: lab.summary };
}

export default async function LabPage({ params }: { params: Promise<{ slug: string }> }) {
  const lab = await loadLab((await params).slug);
  const me = await (await api()).system.me();
  return (
    <article>
      <header className="mb-6 border-b border-zinc-200 pb-4 dark:border-zinc-800">
        <p className="mb-2 text-sm text-zinc-500">Lab</p>
        <LabMeta {...lab} />
        <p className="mt-3 text-zinc-600 dark:text-zinc-400">{lab.summary}</p>
        <div className="mt-4">
          <SessionPanel slug={lab.slug} signedIn={!!me} />
        </div>
      </header>
      <div className="lab-prose" data-testid="lab-body">
        {/* Highlighting runs here on the server with bundled grammars: no network. */}
        <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={[[rehypeHighlight, { detect: false }]]}>
          {lab.body}
        </ReactMarkdown>
      </div>
    </article>
  );
}
