"use client";

/**
 * A resizable split between two side-by-side panes: the size of the first
 * pane, in percent of the container, remembered in localStorage, and the
 * separator that changes it by pointer (drag) or keyboard (arrows, Page
 * Up/Down, Home/End), following WAI-ARIA's window splitter pattern.
 */
import { useCallback, useRef, useSyncExternalStore, type KeyboardEvent, type PointerEvent, type RefObject } from "react";

export interface SplitBounds {
  /** Size before the learner changes it, in percent. */
  initial: number;
  min: number;
  max: number;
}

const clamp = (v: number, { min, max }: SplitBounds) => Math.min(max, Math.max(min, v));

// Same-tab writes do not fire "storage" events, so the hook's listeners are told directly.
const listeners = new Set<() => void>();

function readStored(key: string): number | null {
  try {
    const v = Number(localStorage.getItem(key));
    return Number.isFinite(v) && v > 0 ? v : null;
  } catch {
    return null;
  }
}

/**
 * The first pane's size in percent and its setter (which stores it). Before
 * hydration the initial size is used; the stored one follows at once.
 */
export function useSplitSize(storageKey: string, bounds: SplitBounds): [number, (percent: number) => void] {
  const subscribe = useCallback(
    (onChange: () => void) => {
      listeners.add(onChange);
      const onStorage = (e: StorageEvent) => e.key === storageKey && onChange();
      window.addEventListener("storage", onStorage);
      return () => {
        listeners.delete(onChange);
        window.removeEventListener("storage", onStorage);
      };
    },
    [storageKey],
  );
  const stored = useSyncExternalStore(
    subscribe,
    () => readStored(storageKey),
    () => null,
  );
  const size = clamp(stored ?? bounds.initial, bounds);
  const { min, max } = bounds;
  const setSize = useCallback(
    (percent: number) => {
      try {
        localStorage.setItem(storageKey, String(Math.round(clamp(percent, { initial: percent, min, max }) * 10) / 10));
      } catch {
        // Storage refused: the size still changes for this page.
      }
      for (const l of listeners) l();
    },
    [storageKey, min, max],
  );
  return [size, setSize];
}

/** Keyboard steps, in percent. */
const STEP = 2;
const PAGE = 10;

export interface SeparatorProps {
  /** The first pane's size in percent. */
  value: number;
  bounds: SplitBounds;
  onChange(percent: number): void;
  /** The element whose width 100 % refers to. */
  containerRef: RefObject<HTMLElement | null>;
  /** id of the pane the separator resizes. */
  controls: string;
  label: string;
  className?: string;
}

/**
 * A vertical separator: focusable, announces its value, moves with arrow
 * keys and follows the pointer while dragged (pointer capture keeps the
 * drag even over the terminal's canvas).
 */
export function Separator({ value, bounds, onChange, containerRef, controls, label, className = "" }: SeparatorProps) {
  const dragging = useRef(false);

  const fromPointer = (e: PointerEvent<HTMLDivElement>) => {
    const rect = containerRef.current?.getBoundingClientRect();
    if (!rect || rect.width === 0) return;
    onChange(clamp(((e.clientX - rect.left) / rect.width) * 100, bounds));
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const next: Record<string, number> = {
      ArrowLeft: value - STEP,
      ArrowDown: value - STEP,
      ArrowRight: value + STEP,
      ArrowUp: value + STEP,
      PageDown: value - PAGE,
      PageUp: value + PAGE,
      Home: bounds.min,
      End: bounds.max,
      Enter: bounds.initial,
    };
    if (!(e.key in next)) return;
    e.preventDefault();
    onChange(clamp(next[e.key]!, bounds));
  };

  return (
    <div
      role="separator"
      tabIndex={0}
      aria-orientation="vertical"
      aria-label={label}
      aria-controls={controls}
      aria-valuenow={Math.round(value)}
      aria-valuemin={bounds.min}
      aria-valuemax={bounds.max}
      aria-valuetext={`${Math.round(value)} percent`}
      title="Drag, or focus and use the arrow keys, to resize (Enter resets)"
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        dragging.current = true;
        e.currentTarget.setPointerCapture(e.pointerId);
        e.preventDefault(); // no text selection while dragging
      }}
      onPointerMove={(e) => dragging.current && fromPointer(e)}
      onPointerUp={(e) => {
        dragging.current = false;
        e.currentTarget.releasePointerCapture(e.pointerId);
      }}
      onPointerCancel={() => {
        dragging.current = false;
      }}
      className={`group cursor-col-resize touch-none select-none items-stretch justify-center rounded px-1.5 ${className}`}
      data-testid="split-separator"
    >
      <span aria-hidden className="w-1 rounded-full bg-zinc-200 group-hover:bg-sky-400 group-focus-visible:bg-sky-500 dark:bg-zinc-800" />
    </div>
  );
}
