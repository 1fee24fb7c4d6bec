"use client";

/**
 * The terminal area of the lab page: tabs (add, close, switch), the
 * connection state of the active terminal in words, and the screens. Shown
 * once the session is ready; every tab stays mounted so hidden terminals
 * keep their connection and scrollback.
 */
import { useCallback, useState } from "react";
import type { ConnectionState } from "./connection";
import { TerminalView } from "./terminal-view";
import { useTerminals } from "./terminals-context";

const STATE_TEXT: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  closed: "Closed",
};

type TabStatus = { state: ConnectionState; detail: string | null };

export function TerminalDock() {
  const t = useTerminals();
  const [status, setStatus] = useState<Record<string, TabStatus>>({});
  const report = useCallback((id: string, state: ConnectionState, detail: string | null) => {
    setStatus((prev) => ({ ...prev, [id]: { state, detail } }));
  }, []);
  if (!t.sessionId) return null;
  const active = t.activeId ? (status[t.activeId] ?? { state: "connecting", detail: null }) : null;
  const tabButton = "rounded-t px-3 py-1 text-sm focus-visible:outline-2 focus-visible:outline-sky-500";

  return (
    <section aria-label="Terminals" className="flex h-full min-h-[24rem] flex-col rounded-lg border border-zinc-200 dark:border-zinc-800" data-testid="terminals">
      <div className="flex items-center gap-1 border-b border-zinc-200 px-2 pt-2 dark:border-zinc-800">
        <div role="tablist" aria-label="Terminal tabs" className="flex gap-1 overflow-x-auto">
          {t.tabs.map((tab) => {
            const selected = tab.id === t.activeId;
            return (
              <span key={tab.id} className={`flex items-center ${selected ? "bg-zinc-100 dark:bg-zinc-800" : ""} rounded-t`}>
                <button type="button" role="tab" aria-selected={selected} aria-controls={`panel-${tab.id}`} className={tabButton} onClick={() => t.select(tab.id)}>
                  Terminal {tab.number}
                </button>
                <button
                  type="button"
                  aria-label={`Close terminal ${tab.number}`}
                  title="Close (ends its shell)"
                  className="px-1.5 text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100"
                  onClick={() => t.close(tab.id)}
                >
                  ×
                </button>
              </span>
            );
          })}
        </div>
        <button
          type="button"
          className={`${tabButton} ml-1 text-zinc-600 hover:bg-zinc-100 disabled:opacity-40 dark:text-zinc-300 dark:hover:bg-zinc-800`}
          onClick={t.add}
          disabled={t.tabs.length >= t.maxTabs}
          title={t.tabs.length >= t.maxTabs ? `At most ${t.maxTabs} terminals per lab` : "Open another terminal"}
        >
          + New terminal
        </button>
      </div>
      {active && (
        <p role="status" aria-live="polite" className="flex items-center gap-2 px-3 py-1 text-xs text-zinc-600 dark:text-zinc-400" data-testid="terminal-status" data-state={active.state}>
          <span className={`inline-block h-2 w-2 rounded-full ${active.state === "connected" ? "bg-emerald-500" : active.state === "closed" ? "bg-zinc-400" : "bg-amber-500"}`} aria-hidden />
          <span>{STATE_TEXT[active.state]}</span>
          {active.detail && <span>— {active.detail}</span>}
          {active.state === "closed" && t.activeId && (
            <button
              type="button"
              className="ml-auto underline"
              onClick={() => {
                t.close(t.activeId!);
                t.add();
              }}
            >
              Open a new terminal
            </button>
          )}
        </p>
      )}
      {t.tabs.length === 0 && (
        <p className="p-4 text-sm">
          No terminal is open.{" "}
          <button type="button" className="underline" onClick={t.add}>
            Open one
          </button>
          .
        </p>
      )}
      <div className="relative min-h-0 flex-1">
        {t.tabs.map((tab) => (
          <div key={tab.id} id={`panel-${tab.id}`} role="tabpanel" aria-label={`Terminal ${tab.number}`} className="absolute inset-0" hidden={tab.id !== t.activeId}>
            <TerminalView sessionId={t.sessionId!} terminalId={tab.id} label={`Terminal ${tab.number}`} onState={(s, d) => report(tab.id, s, d)} />
          </div>
        ))}
      </div>
    </section>
  );
}
