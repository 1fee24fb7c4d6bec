"use client";

import { createContext, useContext, useState, type ReactNode } from "react";
import type { TaskView } from "@/server/grading/service";

/**
 * The session's live task list, shared by the checklist (which subscribes)
 * and the task widgets placed in the lab text (which only read), so one
 * SSE stream serves them all.
 */
const TasksContext = createContext<{ tasks: TaskView[] | null; publish: (t: TaskView[] | null) => void }>({
  tasks: null,
  publish: () => {},
});

export function TasksProvider({ children }: { children: ReactNode }) {
  const [tasks, publish] = useState<TaskView[] | null>(null);
  return <TasksContext.Provider value={{ tasks, publish }}>{children}</TasksContext.Provider>;
}

export const useTasks = () => useContext(TasksContext);
