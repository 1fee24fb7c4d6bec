"use client";

import type { Element } from "hast";
import type { ComponentProps } from "react";
import type { LabPreview } from "@/server/labs/authoring";
import { withoutTitleHeading } from "../../labs/[slug]/title-heading";
import { AuthoredMarkdown } from "../authored-markdown";
import { LabMeta } from "../lab-meta";

type PreviewTask = LabPreview["tasks"][number];

/**
 * The lab page as learners will see it, from the text in the editor: the
 * title, summary and details, the steps (each cgroup version's text
 * labelled), and the tasks with their points. While the text has problems
 * the last valid text stays on show, marked as such.
 */
export function Preview({ preview, stale }: { preview: LabPreview | null; stale: boolean }) {
  return (
    <section aria-labelledby="preview-heading" className="space-y-3">
      <h2 id="preview-heading" className="text-sm font-semibold">
        Preview
      </h2>
      {stale && preview && (
        <p role="note" className="rounded border border-amber-300 bg-amber-50 p-2 text-xs text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100" data-testid="preview-stale">
          The text has problems: this is the last valid text.
        </p>
      )}
      {!preview ? (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">{stale ? "No preview yet: fix the problems to see the lab page." : "Preparing the preview…"}</p>
      ) : (
        <div className={`max-h-[40rem] overflow-auto rounded border border-zinc-200 p-4 dark:border-zinc-800 ${stale ? "opacity-70" : ""}`} data-testid="preview">
          <h3 className="mb-3 text-2xl font-bold tracking-tight" data-testid="preview-title">
            {preview.title}
          </h3>
          <LabMeta {...preview} taskCount={preview.tasks.length} />
          <p className="mt-3 text-zinc-600 dark:text-zinc-400">{preview.summary}</p>
          <div className="lab-prose mt-4 border-t border-zinc-200 pt-2 dark:border-zinc-800">
            {preview.sections.map((s, i) =>
              s.cgroup ? (
                <div key={i} className="my-4 rounded-md border-l-4 border-sky-500 bg-sky-50/60 py-1 pl-4 dark:bg-sky-950/30" data-testid={`preview-cgroup-v${s.cgroup}`}>
                  <p className="mt-2 mb-0 text-xs font-semibold tracking-wide text-sky-800 uppercase dark:text-sky-300">cgroup v{s.cgroup} only</p>
                  <Steps text={s.markdown} tasks={preview.tasks} />
                </div>
              ) : (
                // The lab page shows the title as its heading; the body's own `# Title` is not repeated.
                <Steps key={i} text={i === 0 ? withoutTitleHeading(s.markdown) : s.markdown} tasks={preview.tasks} />
              ),
            )}
          </div>
          <PreviewTasks tasks={preview.tasks} />
        </div>
      )}
    </section>
  );
}

/** The task list with titles and points, as the checklist will show it before any check. */
function PreviewTasks({ tasks }: { tasks: PreviewTask[] }) {
  if (!tasks.length) return <p className="mt-4 text-sm text-zinc-600 dark:text-zinc-400">No tasks: learners read the steps only.</p>;
  const total = tasks.reduce((n, t) => n + t.points, 0);
  return (
    <section aria-label="Tasks in the preview" className="mt-6 border-t border-zinc-200 pt-3 dark:border-zinc-800" data-testid="preview-tasks">
      <h4 className="font-semibold">
        Tasks <span className="text-sm font-normal text-zinc-500">{total} points</span>
      </h4>
      <ol className="mt-2 list-decimal space-y-1 pl-5 text-sm">
        {tasks.map((t) => (
          <li key={t.id} data-testid={`preview-task-${t.id}`}>
            <AuthoredMarkdown text={t.title} place="title" /> <span className="text-xs text-zinc-500">({t.points === 1 ? "1 point" : `${t.points} points`})</span>
            {t.hints.length > 0 && (
              <span className="text-xs text-zinc-500">
                {" "}
                · {t.hints.length} hint{t.hints.length === 1 ? "" : "s"}
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** A stretch of the steps; task fences and widgets are named where the lab page puts them live. */
function Steps({ text, tasks }: { text: string; tasks: PreviewTask[] }) {
  return <AuthoredMarkdown text={text} place="steps" components={{ pre: (props) => <PreviewCode {...props} tasks={tasks} /> }} />;
}

function PreviewCode({ node, tasks, ...props }: ComponentProps<"pre"> & { node?: Element; tasks: PreviewTask[] }) {
  const code = node?.children.find((c): c is Element => c.type === "element" && c.tagName === "code");
  const classes = code?.properties.className;
  const lang = Array.isArray(classes) ? classes.map(String).find((c) => c.startsWith("language-")) : undefined;
  const content = code?.children
    .map((c) => (c.type === "text" ? c.value : ""))
    .join("")
    .trim();
  const box = "my-3 rounded border border-dashed border-zinc-300 p-2 text-sm text-zinc-600 dark:border-zinc-700 dark:text-zinc-400";
  if (lang === "language-task") {
    const task = tasks.find((t) => t.id === content);
    return (
      <p className={box}>
        Task here: {task ? <AuthoredMarkdown text={task.title} place="title" /> : <code>{content}</code>}
        {task && ` (${task.points === 1 ? "1 point" : `${task.points} points`})`}
      </p>
    );
  }
  if (lang === "language-widget") return <p className={box}>Interactive widget here: {content}</p>;
  return <pre {...props} />;
}
