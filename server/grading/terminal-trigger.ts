import type { TerminalConfig } from "../terminal/config";
import type { GradingService } from "./service";

/**
 * Terminal settings that grade a session when a command finishes in one of
 * its terminals (the prompt came back): its tasks tick within moments of
 * the command that completes them, with no clock involved. Pass the result
 * to createTerminalGateway (server/main.ts does).
 */
export function gradeAfterCommands(grading: Pick<GradingService, "requestEvaluation">): Pick<TerminalConfig, "onCommandSettled"> {
  return { onCommandSettled: (terminalKey) => grading.requestEvaluation(sessionOfTerminal(terminalKey), "command") };
}

/** The session id in a terminal's key, "<session id>/<terminal id>" (server/terminal/registry.ts). */
export function sessionOfTerminal(terminalKey: string): string {
  const slash = terminalKey.indexOf("/");
  return slash < 0 ? terminalKey : terminalKey.slice(0, slash);
}
