"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useEffectEvent, useRef, useState } from "react";
import type { AuthoredLabSummary, LabVersionView, VersionSummary } from "@/server/labs/authoring";
import { useTRPC, useTRPCClient } from "../../_trpc/client";
import { LocalTime } from "../local-time";
import { ArchiveButton } from "./archive-button";
import { EditorTextarea, type EditorHandle } from "./editor-textarea";
import { EditorToolbar, type Notice } from "./editor-toolbar";
import { Preview } from "./preview";
import { CheckStatus, ProblemsList } from "./problems-list";
import { PublishPanel } from "./publish-panel";
import { TestRun } from "./test-run";
import { discardDraft, readDraft, useDraft, useUnsavedWarning, type Draft } from "./use-draft";
import { useCheck } from "./use-check";
import { VersionsList } from "./versions-list";

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const codeOf = (err: unknown) => (err as { data?: { code?: string } } | null)?.data?.code;

/**
 * The browser lab editor: the lab's text with its problems as the author
 * types, a preview of the lab page, and the way to learners: Save (a new
 * version), "Test this lab" (replayed on a fresh node, live), Publish.
 * Rendered in the browser only (the page waits for hydration), so an
 * unsaved draft from localStorage is the first text shown, not a flash.
 */
export function LabEditor({ lab: initialLab, versions: initialVersions, initial }: { lab: AuthoredLabSummary; versions: VersionSummary[]; initial: LabVersionView }) {
  const slug = initial.slug;
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const editor = useRef<EditorHandle>(null);

  const listed = useQuery(trpc.authoring.versions.queryOptions({ slug }, { initialData: { lab: initialLab, versions: initialVersions } }));
  const { lab, versions } = listed.data;
  const latest = versions[0]?.number ?? initial.number;
  const canEdit = lab.canEdit;

  const [start] = useState(() => {
    const draft = canEdit ? readDraft(slug) : null;
    return draft && draft.text !== initial.source ? draft : null;
  });
  const [restored, setRestored] = useState<Draft | null>(start);
  const [number, setNumber] = useState(initial.number);
  const [text, setText] = useState(start?.text ?? initial.source);
  // The version a save builds on: the latest the author has seen (a save after someone else's is refused).
  const [base, setBase] = useState(start?.base ?? initial.number);
  const [notice, setNotice] = useState<Notice | null>(null);

  const current = useQuery(
    trpc.authoring.version.queryOptions(
      { slug, number },
      { initialData: number === initial.number ? initial : undefined, refetchInterval: (q) => (q.state.data?.testStatus === "running" ? 1000 : false) },
    ),
  );
  const loaded = current.data;
  // Versions never change, so their tasks are asked once: the rows of a test run.
  const tasks = useQuery({
    queryKey: ["lab-editor", "version-tasks", slug, loaded?.number],
    enabled: !!loaded && loaded.problems.length === 0,
    staleTime: Infinity,
    queryFn: async () => (await client.authoring.check.mutate({ slug, source: loaded!.source })).preview?.tasks ?? [],
  });

  const dirty = canEdit && !!loaded && text !== loaded.source;
  useDraft(slug, canEdit ? text : "", base, dirty);
  useUnsavedWarning(dirty);
  const check = useCheck(slug, text);

  const refreshList = () => queryClient.invalidateQueries({ queryKey: trpc.authoring.versions.queryKey({ slug }) });
  const testStatus = loaded?.testStatus;
  useEffect(() => {
    // A run that ends changes the versions list's test column.
    if (testStatus && testStatus !== "running") void queryClient.invalidateQueries({ queryKey: trpc.authoring.versions.queryKey({ slug }) });
  }, [testStatus, queryClient, trpc, slug]);

  const saveM = useMutation(trpc.authoring.save.mutationOptions());
  const testM = useMutation(trpc.authoring.test.mutationOptions());

  /** Saves the text as the next version; null if refused (the text stays, and in the draft). */
  async function save(baseVersion = base): Promise<number | null> {
    setNotice(null);
    try {
      const r = await saveM.mutateAsync({ slug, source: text, baseVersion });
      await queryClient.fetchQuery(trpc.authoring.version.queryOptions({ slug, number: r.number }));
      setNumber(r.number);
      setBase(r.number);
      setRestored(null);
      const problems = r.problems.length ? ` with ${plural(r.problems.length, "problem")}: fix them before testing` : "";
      setNotice({ kind: "ok", text: r.unchanged ? `No changes since version ${r.number}` : `Saved as version ${r.number}${problems}` });
      void refreshList();
      return r.number;
    } catch (err) {
      const conflict = codeOf(err) === "CONFLICT";
      setNotice({ kind: conflict ? "conflict" : "error", text: (err as Error).message });
      if (conflict) void refreshList();
      return null;
    }
  }

  /** "Test this lab": saves first when the text is unsaved, then starts the run and follows it. */
  async function test() {
    const n = dirty ? await save() : number;
    if (n === null) return;
    try {
      await testM.mutateAsync({ slug, number: n });
    } catch (err) {
      setNotice({ kind: "error", text: (err as Error).message });
    }
    await queryClient.invalidateQueries({ queryKey: trpc.authoring.version.queryKey({ slug, number: n }) });
  }

  async function open(n: number) {
    setNotice(null);
    try {
      const view = await queryClient.fetchQuery(trpc.authoring.version.queryOptions({ slug, number: n }));
      setNumber(n);
      setText(view.source);
      setBase(latest);
      setRestored(null);
    } catch (err) {
      setNotice({ kind: "error", text: (err as Error).message });
    }
  }

  function discard() {
    if (!loaded) return;
    discardDraft(slug);
    setText(loaded.source);
    setBase(latest);
    setRestored(null);
  }

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== "s") return;
    e.preventDefault();
    if (canEdit && !saveM.isPending) void save();
  });
  useEffect(() => {
    const handler = (e: KeyboardEvent) => onKey(e);
    window.addEventListener("keydown", handler);
    return () => window.removeEventListener("keydown", handler);
  }, []);

  if (!loaded) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading version {number}…</p>;
  const clean = !check.checking && !check.error && check.problems.length === 0;
  const running = loaded.testStatus === "running";
  const testHint = !canEdit ? null : running ? `Version ${loaded.number} is being tested.` : !clean && !check.checking ? "Fix the problems to test." : null;

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <p className="text-sm text-zinc-600 dark:text-zinc-400" data-testid="editor-version">
          Version {loaded.number} of {latest} in the editor
          {loaded.current ? " (the published one)" : ""} · saved <LocalTime date={loaded.createdAt} /> · {lab.currentVersion ? `version ${lab.currentVersion} is published` : "not published yet"}
          {lab.archived && " · archived: hidden from the catalog"}
        </p>
        {canEdit && <ArchiveButton slug={slug} archived={lab.archived} onDone={() => void refreshList()} />}
      </div>

      {!canEdit && (
        <p role="note" className="rounded border border-zinc-300 bg-zinc-50 p-3 text-sm dark:border-zinc-700 dark:bg-zinc-900" data-testid="builtin-note">
          {lab.origin === "builtin" ? (
            <>
              Built-in lab: change <code className="text-xs">labs/{slug}/lab.md</code> in the repository.
            </>
          ) : (
            "Only the lab's owner or an admin may change it; this is a read-only view."
          )}
        </p>
      )}
      {restored && (
        <p
          role="status"
          className="flex flex-wrap items-center gap-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
          data-testid="draft-notice"
        >
          <span>
            Restored your unsaved draft from <LocalTime date={restored.savedAt} /> (started from version {restored.base}).
          </span>
          <button type="button" onClick={discard} className="rounded border border-amber-400 px-2 py-0.5 text-xs dark:border-amber-700">
            Discard draft
          </button>
        </p>
      )}
      {canEdit && loaded.number !== latest && (
        <p role="note" className="text-sm text-amber-800 dark:text-amber-300" data-testid="old-version-note">
          You are looking at version {loaded.number}; the latest is {latest}. Saving this text makes it version {latest + 1}.
        </p>
      )}

      <div className="grid gap-6 lg:grid-cols-2">
        <div className="min-w-0 space-y-3">
          {canEdit && (
            <EditorToolbar
              dirty={dirty}
              saving={saveM.isPending}
              onSave={() => void save()}
              canTest={clean && !running}
              testing={testM.isPending}
              testHint={testHint}
              onTest={() => void test()}
              notice={notice}
              latest={latest}
              onSaveOver={() => void save(latest)}
            />
          )}
          <div>
            <div className="mb-1 flex items-baseline justify-between gap-2">
              <label htmlFor="lab-source" className="text-sm font-medium">
                Lab source (lab.md)
              </label>
              <CheckStatus id="editor-status" checking={check.checking} count={check.problems.length} error={check.error} />
            </div>
            <EditorTextarea ref={editor} id="lab-source" value={text} onChange={setText} readOnly={!canEdit} problems={check.problems} describedBy="editor-status" />
          </div>
          <ProblemsList problems={check.problems} onGo={(line, column) => editor.current?.goTo(line, column)} />
        </div>
        <div className="min-w-0 space-y-6">
          <Preview preview={check.preview ?? check.lastValid} stale={!check.preview && (check.problems.length > 0 || !!check.error)} />
        </div>
      </div>

      {loaded.testReport && (
        <TestRun
          key={`${loaded.number}-${loaded.testReport.startedAt}`}
          version={loaded.number}
          status={loaded.testStatus}
          report={loaded.testReport}
          tasks={tasks.data ?? []}
          onTestAgain={canEdit ? () => void test() : undefined}
          testAgainDisabled={!clean || running || testM.isPending || saveM.isPending}
        />
      )}
      {canEdit && <PublishPanel key={loaded.number} slug={slug} version={loaded} dirty={dirty} onPublished={() => void Promise.all([refreshList(), current.refetch()])} />}
      <VersionsList versions={versions} loaded={loaded.number} dirty={dirty} onOpen={(n) => void open(n)} />
    </div>
  );
}
