import { TRPCError } from "@trpc/server";
import type { Element } from "hast";
import type { Metadata } from "next";
import type { ComponentProps } from "react";
import Link from "next/link";
import { notFound } from "next/navigation";
import rehypeHighlight from "rehype-highlight";
import { AuthoredMarkdown } from "../../_components/authored-markdown";
import { LabMeta } from "../../_components/lab-meta";
import { CgroupSection, NodeFactsProvider } from "../../_components/node-facts";
import { CgroupTree } from "../../_components/explore/cgroup-tree";
import { PodStepper } from "../../_components/explore/pod-stepper";
import { RuntimeComparison } from "../../_components/explore/runtime-comparison";
import { InlineTask } from "../../_components/inline-task";
import { SessionPanel } from "../../_components/session-panel";
import { TasksProvider } from "../../_components/tasks-context";
import { LabWorkspace } from "../../_components/terminal/lab-workspace";
import { CodeBlock } from "../../_components/terminal/run-button";
import { TerminalsProvider } from "../../_components/terminal/terminals-context";
import { api } from "../../_trpc/server";
import { withoutTitleHeading } from "./title-heading";

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
  const caller = await api();
  const me = await caller.system.me();
  // Labs whose environment this install cannot provide say so instead of offering Start.
  const availability = (await caller.labs.availability())[lab.environment];
  // The title is the page's heading, first; the body's own `# Title` line is not repeated.
  const sections = lab.sections.map((s, i) => (i === 0 && !s.cgroup ? { ...s, markdown: withoutTitleHeading(s.markdown) } : s));
  return (
    <TerminalsProvider>
      <TasksProvider>
      <NodeFactsProvider>
      <LabWorkspace
        header={
          <header className="border-b border-zinc-200 pb-4 dark:border-zinc-800">
            <p className="text-sm text-zinc-500">Lab</p>
            <h1 className="mb-3 text-3xl font-bold tracking-tight" data-testid="lab-title">
              {lab.title}
            </h1>
            <LabMeta {...lab} taskCount={lab.tasks.length} />
            <p className="mt-3 text-zinc-600 dark:text-zinc-400">{lab.summary}</p>
            <div className="mt-4">
              <SessionPanel slug={lab.slug} signedIn={!!me} unavailable={availability.available ? null : availability.learnerMessage} />
            </div>
          </header>
        }
        body={
          <div className="lab-prose" data-testid="lab-body">
            {sections.map((s, i) =>
              s.cgroup ? (
                <CgroupSection key={i} version={s.cgroup}>
                  <Markdown text={s.markdown} tasks={lab.tasks} />
                </CgroupSection>
              ) : (
                <Markdown key={i} text={s.markdown} tasks={lab.tasks} />
              ),
            )}
            {lab.next && (
              <nav aria-label="Next lab" className="mt-10 border-t border-zinc-200 pt-4 dark:border-zinc-800" data-testid="next-lab">
                <p className="text-sm text-zinc-500">Next in {lab.track}</p>
                <Link href={`/labs/${lab.next.slug}`} className="mt-1 inline-block text-lg font-semibold text-sky-700 hover:underline dark:text-sky-400">
                  {lab.next.title} →
                </Link>
              </nav>
            )}
          </div>
        }
      />
      </NodeFactsProvider>
      </TasksProvider>
    </TerminalsProvider>
  );
}

/** One stretch of the steps. Highlighting runs here on the server with bundled grammars: no network. */
function Markdown({ text, tasks }: { text: string; tasks: { id: string; title: string; points: number }[] }) {
  return (
    <AuthoredMarkdown
      text={text}
      place="steps"
      rehypePlugins={[[rehypeHighlight, { detect: false }]]}
      components={{ pre: (props) => <LabCode {...props} tasks={tasks} /> }}
    />
  );
}

/**
 * Code blocks by fence language: shell snippets get a "Run" button, and a
 * ```task fence holding a task id becomes that task's live widget.
 */
function LabCode({ node, tasks, ...props }: ComponentProps<"pre"> & { node?: Element; tasks: { id: string; title: string; points: number }[] }) {
  const code = node?.children.find((c): c is Element => c.type === "element" && c.tagName === "code");
  const classes = code?.properties.className;
  const lang = Array.isArray(classes) ? classes.map(String).find((c) => c.startsWith("language-")) : undefined;
  if (lang === "language-widget") {
    const name = code?.children.map((c) => (c.type === "text" ? c.value : "")).join("").trim();
    if (name === "pod-stepper") return <PodStepper />;
    if (name === "runtime-comparison") return <RuntimeComparison />;
    if (name === "cgroup-tree") return <CgroupTree />;
  }
  if (lang === "language-task") {
    const id = code?.children.map((c) => (c.type === "text" ? c.value : "")).join("").trim();
    const task = tasks.find((t) => t.id === id);
    if (task) return <InlineTask taskId={task.id} title={task.title} points={task.points} />;
  }
  return <CodeBlock {...props} language={lang ? lang.slice("language-".length) : null} />;
}
