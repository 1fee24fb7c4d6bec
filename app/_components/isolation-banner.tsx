import type { IsolationReport } from "@/server/sandbox/provider";

/**
 * Tells admins, on every page, when learners' nodes are not contained as the
 * platform promises (no user namespace, no disk cap, or sandboxes refused for
 * that reason), with the risk and the one command that fixes it.
 * Nothing is shown while isolation is as it should be.
 */
export function IsolationBanner({ report }: { report: IsolationReport | null }) {
  if (!report) return null;
  const weak = !report.ok || report.level !== "userns" || report.diskQuotaMb === null;
  if (!weak) return null;
  const title = !report.ok
    ? "Sandboxes cannot start: this engine cannot contain a learner's root"
    : report.level !== "userns"
      ? "Learners' nodes run without a user namespace"
      : "Learners' nodes have no disk cap";
  return (
    <div
      role="alert"
      data-testid="isolation-banner"
      data-level={report.level}
      data-ok={report.ok}
      className="border-b border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
    >
      <div className="mx-auto max-w-5xl px-4 py-3 text-sm">
        <p className="font-semibold">{title}</p>
        <p className="mt-1">{report.message}</p>
        {report.fix && (
          <p className="mt-1">
            Fix: <code className="rounded bg-amber-100 px-1 py-0.5 font-mono text-xs dark:bg-amber-900">{report.fix}</code>
          </p>
        )}
        <p className="mt-1 text-xs">Shown to admins only. See docs/isolation.md for what each level means.</p>
      </div>
    </div>
  );
}
