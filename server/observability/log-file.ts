/**
 * The server's log file, `DATA_DIR/logs/server.log`: a copy of every JSON
 * line the server logs, kept beside its data so an operator finds the logs
 * of a past run after the terminal that ran `npm start` is gone.
 *
 * It rotates itself by size: when the next line would take the file past
 * `maxBytes`, the file becomes `server.log.1` (replacing the one before) and
 * a new `server.log` starts. So the logs never take more than about twice
 * `maxBytes`, whoever runs the server and without logrotate or signals
 * (SIGHUP keeps its usual meaning: a closed terminal stops the server).
 */
import fs from "node:fs";
import path from "node:path";
import type { DestinationStream } from "pino";
import { createLogger, loggerOptionsFromEnv, rootLogger, setRootLogger } from "./logger";

/** Size at which server.log is rotated (server.log.1 keeps the previous file). */
export const LOG_FILE_MAX_BYTES = 20 * 2 ** 20;

/** Where the server's log file lives under a data directory. */
export function logFilePath(dataDir: string): string {
  return path.join(dataDir, "logs", "server.log");
}

/**
 * A pino destination appending to `file`, rotated at `maxBytes`. Writes are
 * synchronous like the stdout destination's: the last lines before
 * process.exit() must reach the file too. Throws when the file cannot be
 * opened; a failure later (disk full) drops the line rather than the server.
 */
export function rotatingFileDestination(file: string, maxBytes = LOG_FILE_MAX_BYTES): DestinationStream {
  // Not world-readable: lines can carry session ids and error details.
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o750 });
  let fd = fs.openSync(file, "a", 0o640);
  let size = fs.fstatSync(fd).size;
  // Rename first: until the new file is open, lines keep going to the old one.
  const rotate = () => {
    fs.renameSync(file, `${file}.1`);
    const next = fs.openSync(file, "a", 0o640);
    fs.closeSync(fd);
    fd = next;
    size = 0;
  };
  return {
    write(line: string) {
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) {
        try {
          rotate();
        } catch {
          size = 0; // keep the current file and try again after another maxBytes
        }
      }
      try {
        fs.writeSync(fd, line);
        size += bytes;
      } catch {
        // Logging must not take the server down (disk full); stdout still has the line.
      }
    },
  };
}

/**
 * Makes the process-wide logger write every line to `file` as well as to
 * stdout, in JSON whatever LOG_FORMAT says for the terminal. A file that
 * cannot be opened (read-only DATA_DIR) is reported, and stdout carries on alone.
 */
export function alsoLogToFile(file: string): void {
  try {
    setRootLogger(createLogger({ ...loggerOptionsFromEnv(), alsoTo: rotatingFileDestination(file) }));
  } catch (err) {
    rootLogger().warn({ component: "server", err }, `could not open the log file ${file}; logging to stdout only`);
  }
}
