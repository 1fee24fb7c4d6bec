"use client";

/**
 * The lab page's terminals: which session they belong to, the open tabs,
 * the active one, and `run(text)` for "Run" buttons in the lab text, which
 * types a snippet one command at a time (snippet.ts). Tabs are remembered
 * per browser tab (sessionStorage) so a reload re-attaches to the same
 * shells, and shells the session has open in another tab or browser are
 * listed from the server and adopted; the server replays their screens.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useTRPCClient } from "../../_trpc/client";
import { runUnits, splitSnippet } from "./snippet";
import { preloadTerminalModules } from "./preload";

/** What a mounted terminal view offers to the rest of the page. */
export interface TerminalHandle {
  /** Pastes one command into the shell (bracketed if the shell asked for it), then Enter. */
  send(unit: string): void;
  /** Resolves "prompt" once the shell's prompt is back after the last send, or "timeout". */
  waitForPrompt(timeoutMs: number, signal: AbortSignal): Promise<"prompt" | "timeout">;
  focus(): void;
  /** The screen and scrollback as plain text. */
  text(): string;
  /** Ends the shell on the server now (the tab is being closed). */
  end(): void;
}

/** A snippet being typed into a terminal: which Run button started it, and how far it is. */
export interface SnippetRun {
  /** The `source` the Run button passed. */
  source: string;
  /** 0-based index of the command being typed or waited for. */
  index: number;
  total: number;
}

export interface TerminalTab {
  id: string;
  /** 1-based number shown in the tab ("Terminal 2"). */
  number: number;
}

export interface TerminalsApi {
  /** The ready session terminals connect to, or null. */
  sessionId: string | null;
  tabs: TerminalTab[];
  activeId: string | null;
  /** At most this many tabs (the server's per-session limit). */
  maxTabs: number;
  setSession(id: string | null): void;
  add(): void;
  close(id: string): void;
  select(id: string): void;
  /**
   * Runs a snippet in the active terminal, one command at a time, each once
   * the prompt is back (stopping any run still going); false when no
   * terminal is open. `source` names the caller, for {@link running}.
   */
  run(text: string, source?: string): boolean;
  /** The snippet being run, or null. */
  running: SnippetRun | null;
  /** Stops the snippet being run: the command typed last keeps running, the rest is not typed. */
  stopRun(): void;
  /** Moves keyboard focus into the active terminal (if one is open). */
  focusActive(): void;
  /** Called by terminal views as they mount and unmount. */
  register(id: string, handle: TerminalHandle | null): void;
}

/** Server default (server/terminal/config.ts maxPerSession). */
const MAX_TABS = 4;

const noop = () => {};
const TerminalsContext = createContext<TerminalsApi>({
  sessionId: null,
  tabs: [],
  activeId: null,
  maxTabs: MAX_TABS,
  setSession: noop,
  add: noop,
  close: noop,
  select: noop,
  run: () => false,
  running: null,
  stopRun: noop,
  focusActive: noop,
  register: noop,
});

/** The page's terminals (a no-op API outside a TerminalsProvider). */
export function useTerminals(): TerminalsApi {
  return useContext(TerminalsContext);
}

function newTab(tabs: TerminalTab[]): TerminalTab {
  const rand = Math.random().toString(36).slice(2, 10);
  return { id: `t-${Date.now().toString(36)}-${rand}`, number: Math.max(0, ...tabs.map((t) => t.number)) + 1 };
}

/** `tabs` plus a tab for each open terminal id not among them, numbered after them (ids start with their creation time, so they sort in age order). */
function adopt(tabs: TerminalTab[], openIds: string[]): TerminalTab[] {
  const out = [...tabs];
  for (const id of [...openIds].sort()) {
    if (out.some((t) => t.id === id)) continue;
    out.push({ id, number: Math.max(0, ...out.map((t) => t.number)) + 1 });
  }
  return out;
}

const storageKey = (sessionId: string) => `runtime-labs.terminals.${sessionId}`;

function loadTabs(sessionId: string): { tabs: TerminalTab[]; activeId: string | null } | null {
  try {
    const raw = sessionStorage.getItem(storageKey(sessionId));
    const v = raw ? (JSON.parse(raw) as { tabs: TerminalTab[]; activeId: string | null }) : null;
    return v && Array.isArray(v.tabs) && v.tabs.length ? v : null;
  } catch {
    return null;
  }
}

declare global {
  interface Window {
    /**
     * Test hook (docs/terminal.md): the terminals' text, for Playwright.
     * `active()` is the active terminal's buffer (scrollback + screen).
     */
    __runtimeLabsTerminals?: { active(): string; ids(): string[]; text(id: string): string };
  }
}

export function TerminalsProvider({ children }: { children: ReactNode }) {
  const client = useTRPCClient();
  const [sessionId, setSessionId] = useState<string | null>(null);
  const [tabs, setTabs] = useState<TerminalTab[]>([]);
  const [activeId, setActiveId] = useState<string | null>(null);
  const handles = useRef(new Map<string, TerminalHandle>());
  const activeRef = useRef<string | null>(null);
  const sessionRef = useRef<string | null>(null);
  useEffect(() => {
    activeRef.current = activeId;
  }, [activeId]);

  // When a session becomes ready: this browser tab's own tabs (a reload),
  // plus the shells the session has open elsewhere (another tab or browser
  // of the learner), which reattach with their scrollback. A new tab only
  // when the session has none.
  const setSession = useCallback(
    (id: string | null) => {
      if (sessionRef.current === id) return;
      sessionRef.current = id;
      const saved = id ? loadTabs(id) : null;
      const show = (list: TerminalTab[], active: string | null) => {
        setTabs(list);
        setActiveId(active && list.some((t) => t.id === active) ? active : (list[0]?.id ?? null));
        setSessionId(id);
      };
      if (!id) return show([], null);
      if (saved) show(saved.tabs, saved.activeId);
      void client.sessions.terminals.query({ id }).then(
        (open) => {
          if (sessionRef.current !== id) return;
          if (saved)
            setTabs((now) =>
              adopt(
                now,
                open.map((o) => o.terminalId),
              ),
            );
          else {
            const adopted = adopt(
              [],
              open.map((o) => o.terminalId),
            );
            show(adopted.length ? adopted : [newTab([])], null);
          }
        },
        () => {
          // Not listed (a network blip): carry on with a terminal of our own.
          if (!saved && sessionRef.current === id) show([newTab([])], null);
        },
      );
    },
    [client],
  );

  useEffect(() => {
    if (sessionId) sessionStorage.setItem(storageKey(sessionId), JSON.stringify({ tabs, activeId }));
  }, [sessionId, tabs, activeId]);

  const add = useCallback(() => {
    if (tabs.length >= MAX_TABS) return;
    const t = newTab(tabs);
    setTabs([...tabs, t]);
    setActiveId(t.id);
  }, [tabs]);

  const close = useCallback(
    (id: string) => {
      handles.current.get(id)?.end();
      const i = tabs.findIndex((t) => t.id === id);
      const next = tabs.filter((t) => t.id !== id);
      setTabs(next);
      if (activeId === id) setActiveId(next[Math.max(0, i - 1)]?.id ?? null);
    },
    [tabs, activeId],
  );

  const [running, setRunning] = useState<SnippetRun | null>(null);
  const runAbort = useRef<{ controller: AbortController; terminalId: string } | null>(null);
  const stopRun = useCallback(() => {
    runAbort.current?.controller.abort();
    runAbort.current = null;
    setRunning(null);
  }, []);
  const run = useCallback(
    (text: string, source = "") => {
      const h = activeRef.current ? handles.current.get(activeRef.current) : undefined;
      if (!h) return false;
      stopRun();
      const units = splitSnippet(text);
      if (!units.length) return true;
      const controller = new AbortController();
      runAbort.current = { controller, terminalId: activeRef.current! };
      h.focus();
      void runUnits(units, h, controller.signal, (index) => setRunning({ source, index, total: units.length })).finally(() => {
        if (runAbort.current?.controller === controller) {
          runAbort.current = null;
          setRunning(null);
        }
      });
      return true;
    },
    [stopRun],
  );

  const register = useCallback(
    (id: string, handle: TerminalHandle | null) => {
      if (handle) handles.current.set(id, handle);
      else handles.current.delete(id);
      // A run stops with its terminal (tab closed, session over).
      if (!handle && runAbort.current?.terminalId === id) stopRun();
    },
    [stopRun],
  );

  // The terminal's code is fetched while the learner reads, not after Start.
  useEffect(() => preloadTerminalModules(), []);

  useEffect(() => {
    window.__runtimeLabsTerminals = {
      active: () => (activeRef.current ? (handles.current.get(activeRef.current)?.text() ?? "") : ""),
      ids: () => [...handles.current.keys()],
      text: (id) => handles.current.get(id)?.text() ?? "",
    };
    return () => {
      delete window.__runtimeLabsTerminals;
    };
  }, []);

  const focusActive = useCallback(() => {
    if (activeRef.current) handles.current.get(activeRef.current)?.focus();
  }, []);

  const api = useMemo<TerminalsApi>(
    () => ({ sessionId, tabs, activeId, maxTabs: MAX_TABS, setSession, add, close, select: setActiveId, run, running, stopRun, focusActive, register }),
    [sessionId, tabs, activeId, setSession, add, close, run, running, stopRun, focusActive, register],
  );
  return <TerminalsContext.Provider value={api}>{children}</TerminalsContext.Provider>;
}
