"use client";

/**
 * One xterm.js screen bound to one server terminal. The fit addon follows
 * the element's size (ResizeObserver), links are clickable, and the WebGL
 * renderer is used when the browser has WebGL2 (headless Chromium often
 * does not): otherwise xterm's DOM renderer draws.
 */
import "@xterm/xterm/css/xterm.css";
import type { ITheme, Terminal } from "@xterm/xterm";
import { useEffect, useRef } from "react";
import { useTheme } from "../theme-state";
import type { Theme } from "../theme-script";
import { TerminalConnection, type ConnectionState } from "./connection";
import { PromptWatch } from "./prompt-watch";
import { useTerminals } from "./terminals-context";

/**
 * Terminal colours per page theme. The light palette darkens xterm's default
 * ANSI colours (yellow, cyan and white are unreadable on white otherwise).
 */
const THEMES: Record<Theme, ITheme> = {
  dark: { background: "#0b0f14", foreground: "#e4e4e7", cursor: "#38bdf8", cursorAccent: "#0b0f14", selectionBackground: "#38bdf866" },
  light: {
    background: "#fafafa",
    foreground: "#18181b",
    cursor: "#0369a1",
    cursorAccent: "#fafafa",
    selectionBackground: "#0ea5e940",
    black: "#18181b",
    red: "#b91c1c",
    green: "#15803d",
    yellow: "#a16207",
    blue: "#1d4ed8",
    magenta: "#a21caf",
    cyan: "#0e7490",
    white: "#52525b",
    brightBlack: "#52525b",
    brightRed: "#dc2626",
    brightGreen: "#16a34a",
    brightYellow: "#ca8a04",
    brightBlue: "#2563eb",
    brightMagenta: "#c026d3",
    brightCyan: "#0891b2",
    brightWhite: "#71717a",
  },
};

/** The whole buffer (scrollback and screen) as text, trailing blanks trimmed. */
function bufferText(term: Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? "");
  return lines.join("\n").replace(/\s+$/, "");
}

async function loadWebglRenderer(term: Terminal): Promise<void> {
  try {
    const { WebglAddon } = await import("@xterm/addon-webgl");
    const webgl = new WebglAddon();
    // A lost GPU context (driver reset, too many contexts) falls back to DOM.
    webgl.onContextLoss(() => webgl.dispose());
    term.loadAddon(webgl);
  } catch {
    // No WebGL2: xterm keeps its DOM renderer.
  }
}

/**
 * Where F6 sends keyboard focus: the terminal keeps Tab for the shell's
 * completion, so without a way out a keyboard user would be trapped. F6 is
 * the usual "next pane" key and no shell binds it by default.
 */
function leaveTerminal(el: HTMLElement | null): void {
  const dock = el?.closest('[data-testid="terminals"]');
  const target = dock?.querySelector<HTMLElement>('[role="tab"][aria-selected="true"]') ?? document.querySelector<HTMLElement>("#main");
  target?.focus();
}

/** Copy with Ctrl+Shift+C, paste with Ctrl+Shift+V (Ctrl+C stays SIGINT); F6 leaves the terminal. */
function clipboardKeys(term: Terminal) {
  return (ev: KeyboardEvent): boolean => {
    if (ev.key === "F6" && !ev.ctrlKey && !ev.altKey && !ev.metaKey) {
      if (ev.type === "keydown") leaveTerminal(term.element ?? null);
      return false;
    }
    if (ev.type !== "keydown" || !ev.ctrlKey || !ev.shiftKey) return true;
    const key = ev.key.toLowerCase();
    if (key === "c" && term.hasSelection()) {
      void navigator.clipboard?.writeText(term.getSelection());
      return false;
    }
    if (key === "v") {
      void navigator.clipboard?.readText().then(
        (t) => term.paste(t),
        () => undefined,
      );
      return false;
    }
    return true;
  };
}

/**
 * A watcher's screen at the learner's size: shrunk with a CSS transform when
 * the box is smaller than it (never enlarged), anchored top left.
 */
function scaleToFit(term: Terminal, box: HTMLElement): void {
  const screen = term.element?.querySelector<HTMLElement>(".xterm-screen");
  if (!term.element || !screen?.offsetWidth || !screen.offsetHeight) return;
  const scale = Math.min(1, box.clientWidth / screen.offsetWidth, box.clientHeight / screen.offsetHeight);
  term.element.style.transformOrigin = "top left";
  term.element.style.transform = scale < 1 ? `scale(${scale.toFixed(4)})` : "";
}

export interface TerminalViewProps {
  sessionId: string;
  terminalId: string;
  /** Accessible name, e.g. "Terminal 1". */
  label: string;
  onState(state: ConnectionState, detail: string | null): void;
}

export function TerminalView({ sessionId, terminalId, label, onState }: TerminalViewProps) {
  const ref = useRef<HTMLDivElement>(null);
  const { register } = useTerminals();
  const theme = useTheme();
  const themeRef = useRef(theme);
  const termRef = useRef<Terminal | null>(null);
  const onStateRef = useRef(onState);
  useEffect(() => {
    onStateRef.current = onState;
  }, [onState]);
  // The terminal follows the page's theme, also when it changes while open.
  useEffect(() => {
    themeRef.current = theme;
    if (termRef.current) termRef.current.options.theme = THEMES[theme];
  }, [theme]);

  useEffect(() => {
    let cancelled = false;
    let cleanup = () => {};
    void (async () => {
      // xterm touches the DOM at import time: load it in the browser only.
      const [{ Terminal }, { FitAddon }, { WebLinksAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit"), import("@xterm/addon-web-links")]);
      const el = ref.current;
      if (cancelled || !el) return;
      const term = new Terminal({
        cursorBlink: true,
        fontFamily: 'ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace',
        fontSize: 14,
        scrollback: 5000,
        theme: THEMES[themeRef.current],
      });
      termRef.current = term;
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.loadAddon(new WebLinksAddon());
      term.attachCustomKeyEventHandler(clipboardKeys(term));
      term.open(el);
      await loadWebglRenderer(term);
      // Set when watching: the learner's size, which this screen keeps
      // (scaled down to fit the box) so wrapped lines break where the learner's did.
      let learnerSize: { cols: number; rows: number } | null = null;
      const refit = () => {
        // Hidden (a background tab, or the terminal pane on a narrow screen):
        // keep the size. Measured hidden, the box reads as 100 px square and
        // the shell would be squeezed to 10 columns; the observer fires again when shown.
        if (!el.getClientRects().length) return;
        if (learnerSize) return scaleToFit(term, el);
        try {
          fit.fit();
        } catch {
          // Not laid out yet: the observer fires again.
        }
      };
      refit();

      let ended = false;
      // "Run" waits for the prompt between the lines of a snippet: it reads
      // the cursor's line once xterm has parsed each piece of output.
      const prompt = new PromptWatch(() => {
        const buf = term.buffer.active;
        return buf.getLine(buf.baseY + buf.cursorY)?.translateToString(false, 0, buf.cursorX) ?? "";
      });
      const conn = new TerminalConnection(sessionId, terminalId, () => ({ cols: term.cols, rows: term.rows }), {
        output: (data, reset) => {
          if (reset) term.reset();
          // Raw bytes: xterm's own UTF-8 decoder keeps state across writes.
          if (data.length) {
            prompt.received(data);
            term.write(data, () => prompt.parsed());
          }
        },
        state: (s, d) => onStateRef.current(s, d),
        readOnly: (ro) => {
          term.options.disableStdin = ro;
        },
        size: (cols, rows) => {
          // After the output queued so far is drawn, so it breaks at the old width.
          term.write(new Uint8Array(), () => {
            learnerSize = { cols, rows };
            term.resize(cols, rows);
            refit();
          });
        },
      });
      term.onData((d) => conn.input(d));
      term.onBinary((d) => conn.input(Uint8Array.from(d, (c) => c.charCodeAt(0) & 0xff)));
      term.onResize(({ cols, rows }) => conn.resize(cols, rows));
      let frame = 0;
      const observer = new ResizeObserver(() => {
        cancelAnimationFrame(frame);
        frame = requestAnimationFrame(refit);
      });
      observer.observe(el);

      register(terminalId, {
        send: (unit) => {
          prompt.sent();
          term.paste(unit.replace(/\n+$/, ""));
          conn.input("\r");
        },
        waitForPrompt: (timeoutMs, signal) => prompt.wait(timeoutMs, signal),
        focus: () => term.focus(),
        text: () => bufferText(term),
        end: () => {
          ended = true;
        },
      });
      conn.start();
      cleanup = () => {
        observer.disconnect();
        cancelAnimationFrame(frame);
        register(terminalId, null);
        // A closed tab ends its shell now; leaving the page keeps it for the
        // server's grace period so a reload re-attaches.
        conn.dispose(ended);
        termRef.current = null;
        term.dispose();
      };
    })();
    return () => {
      cancelled = true;
      cleanup();
    };
  }, [sessionId, terminalId, register]);

  return (
    <div
      ref={ref}
      role="group"
      aria-label={label}
      aria-description="Press F6 to move focus out of the terminal."
      className="h-full w-full overflow-hidden p-1"
      style={{ background: THEMES[theme].background }}
      data-terminal-id={terminalId}
    />
  );
}
