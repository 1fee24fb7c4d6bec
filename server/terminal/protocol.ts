/**
 * The web terminal's wire protocol, shared by the browser and the server.
 * No Node or DOM imports: only Uint8Array, DataView, TextEncoder/Decoder.
 *
 * Every WebSocket message is one binary frame: a one-byte type (ttyd style)
 * followed by a type-specific payload. Terminal output travels as raw bytes
 * with the byte offset of its first byte, so a reconnecting client can say
 * "I have everything before offset N" and get exactly the rest.
 *
 * The handshake is the upgrade request's query string (see
 * {@link TerminalHandshake}) so the server can refuse with an HTTP status
 * before a socket exists. docs/terminal.md describes the whole protocol.
 */

/** Path of the WebSocket endpoint. */
export const TERMINAL_PATH = "/api/terminal";

/** Client -> server frame types. */
export const ClientFrameType = {
  /** Keystrokes / pasted bytes for the shell. */
  Input: 0x01,
  /** New terminal size: u16 cols, u16 rows (big-endian). */
  Resize: 0x02,
  /** Liveness probe; the server answers Pong with the same payload. */
  Ping: 0x03,
  /** The user closed this terminal: end its shell now, not after the grace period. */
  Close: 0x04,
} as const;

/** Server -> client frame types. */
export const ServerFrameType = {
  /** f64 offset of the first byte, then raw terminal bytes. */
  Output: 0x81,
  /** The shell ended: i32 exit code (-1 when unknown). */
  Exit: 0x82,
  /** UTF-8 JSON {code, message}: something the user should know. */
  Error: 0x83,
  /** Answer to Ping, same payload. */
  Pong: 0x84,
  /** Sent once after the upgrade: UTF-8 JSON {@link ReadyInfo}. */
  Ready: 0x85,
  /**
   * The shell's terminal size (u16 cols, u16 rows), sent to watchers after
   * Ready and whenever the learner resizes: a watcher renders at the
   * learner's size, or wrapped lines and full-screen programs come out garbled.
   */
  Size: 0x86,
} as const;

/** Largest input payload one frame may carry (a big paste is split). */
export const MAX_INPUT_BYTES = 64 * 1024;
/** Largest output payload one frame carries. */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/** Largest ping payload. */
export const MAX_PING_BYTES = 64;
/** Largest error/ready JSON payload. */
const MAX_JSON_BYTES = 4 * 1024;
/** Terminal size bounds accepted by the server. */
export const MAX_COLS = 1000;
export const MAX_ROWS = 1000;
/** Largest frame either side ever sends: type + offset + output payload. */
export const MAX_FRAME_BYTES = 1 + 8 + MAX_OUTPUT_BYTES;

/** Client-chosen terminal ids: letters, digits, dash, underscore. */
export const TERMINAL_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** Error codes in Error frames. */
export type TerminalErrorCode =
  "BAD_FRAME" | "READ_ONLY" | "RATE_LIMITED" | "TOO_MANY_TERMINALS" | "SESSION_ENDED" | "SHELL_FAILED" | "IDLE" | "SHUTTING_DOWN" | "CLOSED" | "ACCESS_REVOKED" | "NODE_STOPPED";

/**
 * WebSocket close codes the server uses (4000-4999 is the application range).
 * A client must not reconnect after these; any other close is transient.
 */
export const CloseCode = {
  /** The shell exited (an Exit frame preceded it). */
  Exited: 4000,
  /** A client closed the terminal on purpose. */
  Closed: 4001,
  /** A malformed or oversized frame. */
  BadFrame: 4400,
  /** The session has no room for another terminal. */
  TooManyTerminals: 4409,
  /** The lab session ended. */
  SessionEnded: 4410,
  /** Closed for inactivity. */
  Idle: 4408,
  /** A watcher's right to see this session ended (cohort archived, member removed, role changed). */
  AccessRevoked: 4403,
  /** The shell ended because the learner's node stopped (killed, crashed); the session says what follows. */
  NodeStopped: 4411,
} as const;

/** True when a close code means "do not reconnect". */
export function isFinalClose(code: number): boolean {
  return code >= 4000 && code < 5000;
}

/** What a client sends on the upgrade request (as query parameters). */
export interface TerminalHandshake {
  /** Lab session id. */
  session: string;
  /** Client-chosen terminal id; reconnecting with the same id re-attaches. */
  terminal: string;
  /** Output offset the client already has (0 for a fresh screen). */
  offset: number;
  cols: number;
  rows: number;
}

/** Payload of the Ready frame. */
export interface ReadyInfo {
  /** True when this connection may only watch (input is refused). */
  readOnly: boolean;
  /** Offset of the first output byte that follows. */
  resumeFrom: number;
  /**
   * True when the client's screen must be cleared first: the shell is new,
   * or the bytes between the client's offset and `resumeFrom` were dropped
   * from the replay buffer.
   */
  reset: boolean;
}

/** A decoded client frame. */
export type ClientFrame = { type: "input"; data: Uint8Array } | { type: "resize"; cols: number; rows: number } | { type: "ping"; data: Uint8Array } | { type: "close" };

/** A decoded server frame. */
export type ServerFrame =
  | { type: "output"; offset: number; data: Uint8Array }
  | { type: "exit"; code: number | null }
  | { type: "error"; code: TerminalErrorCode; message: string }
  | { type: "pong"; data: Uint8Array }
  | ({ type: "ready" } & ReadyInfo)
  | { type: "size"; cols: number; rows: number };

/** Thrown by decoders for frames that break the protocol. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function frame(type: number, payloadLength: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(1 + payloadLength);
  bytes[0] = type;
  return { bytes, view: new DataView(bytes.buffer) };
}

function withPayload(type: number, payload: Uint8Array): Uint8Array {
  const { bytes } = frame(type, payload.length);
  bytes.set(payload, 1);
  return bytes;
}

function validSize(cols: number, rows: number): boolean {
  return Number.isInteger(cols) && Number.isInteger(rows) && cols >= 1 && rows >= 1 && cols <= MAX_COLS && rows <= MAX_ROWS;
}

// ---- client -> server -------------------------------------------------------

/** Encodes input bytes (callers split pastes longer than MAX_INPUT_BYTES, see {@link encodeInputChunks}). */
export function encodeInput(data: Uint8Array | string): Uint8Array {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  if (bytes.length > MAX_INPUT_BYTES) throw new ProtocolError(`Input frames carry at most ${MAX_INPUT_BYTES} bytes; got ${bytes.length}.`);
  return withPayload(ClientFrameType.Input, bytes);
}

/** Splits input of any length into valid Input frames. */
export function encodeInputChunks(data: Uint8Array | string): Uint8Array[] {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += MAX_INPUT_BYTES) out.push(encodeInput(bytes.subarray(i, i + MAX_INPUT_BYTES)));
  return out;
}

export function encodeResize(cols: number, rows: number): Uint8Array {
  if (!validSize(cols, rows)) throw new ProtocolError(`A terminal size must be 1-${MAX_COLS} columns and 1-${MAX_ROWS} rows; got ${cols}x${rows}.`);
  const { bytes, view } = frame(ClientFrameType.Resize, 4);
  view.setUint16(1, cols);
  view.setUint16(3, rows);
  return bytes;
}

export function encodePing(data: Uint8Array = new Uint8Array()): Uint8Array {
  if (data.length > MAX_PING_BYTES) throw new ProtocolError(`Ping payloads are at most ${MAX_PING_BYTES} bytes.`);
  return withPayload(ClientFrameType.Ping, data);
}

/** Decodes and validates a client frame; throws ProtocolError. */
export function decodeClientFrame(bytes: Uint8Array): ClientFrame {
  if (bytes.length === 0) throw new ProtocolError("Empty frame.");
  const payload = bytes.subarray(1);
  switch (bytes[0]) {
    case ClientFrameType.Input:
      if (payload.length > MAX_INPUT_BYTES) throw new ProtocolError(`Input frame of ${payload.length} bytes exceeds the ${MAX_INPUT_BYTES}-byte limit.`);
      return { type: "input", data: payload };
    case ClientFrameType.Resize: {
      if (payload.length !== 4) throw new ProtocolError(`Resize frame must carry 4 bytes; got ${payload.length}.`);
      const view = new DataView(payload.buffer, payload.byteOffset, 4);
      const cols = view.getUint16(0);
      const rows = view.getUint16(2);
      if (!validSize(cols, rows)) throw new ProtocolError(`Terminal size ${cols}x${rows} is out of range.`);
      return { type: "resize", cols, rows };
    }
    case ClientFrameType.Ping:
      if (payload.length > MAX_PING_BYTES) throw new ProtocolError(`Ping frame of ${payload.length} bytes exceeds ${MAX_PING_BYTES}.`);
      return { type: "ping", data: payload };
    case ClientFrameType.Close:
      if (payload.length !== 0) throw new ProtocolError("Close frame carries no payload.");
      return { type: "close" };
    default:
      throw new ProtocolError(`Unknown client frame type 0x${(bytes[0] ?? 0).toString(16)}.`);
  }
}

/** Asks the server to end the terminal's shell now. */
export function encodeClose(): Uint8Array {
  return new Uint8Array([ClientFrameType.Close]);
}

// ---- server -> client -------------------------------------------------------

export function encodeOutput(offset: number, data: Uint8Array): Uint8Array {
  if (data.length > MAX_OUTPUT_BYTES) throw new ProtocolError(`Output frames carry at most ${MAX_OUTPUT_BYTES} bytes.`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ProtocolError(`Bad output offset ${offset}.`);
  const { bytes, view } = frame(ServerFrameType.Output, 8 + data.length);
  view.setFloat64(1, offset);
  bytes.set(data, 9);
  return bytes;
}

export function encodeExit(code: number | null): Uint8Array {
  const { bytes, view } = frame(ServerFrameType.Exit, 4);
  view.setInt32(1, code ?? -1);
  return bytes;
}

export function encodeError(code: TerminalErrorCode, message: string): Uint8Array {
  return withPayload(ServerFrameType.Error, encoder.encode(JSON.stringify({ code, message })));
}

export function encodePong(data: Uint8Array): Uint8Array {
  return withPayload(ServerFrameType.Pong, data.subarray(0, MAX_PING_BYTES));
}

/** The shell's size, for watchers (see ServerFrameType.Size). */
export function encodeSize(cols: number, rows: number): Uint8Array {
  if (!validSize(cols, rows)) throw new ProtocolError(`A terminal size must be 1-${MAX_COLS} columns and 1-${MAX_ROWS} rows; got ${cols}x${rows}.`);
  const { bytes, view } = frame(ServerFrameType.Size, 4);
  view.setUint16(1, cols);
  view.setUint16(3, rows);
  return bytes;
}

export function encodeReady(info: ReadyInfo): Uint8Array {
  return withPayload(ServerFrameType.Ready, encoder.encode(JSON.stringify(info)));
}

function decodeJson(payload: Uint8Array): Record<string, unknown> {
  if (payload.length > MAX_JSON_BYTES) throw new ProtocolError("JSON payload too large.");
  try {
    const v: unknown = JSON.parse(decoder.decode(payload));
    if (typeof v !== "object" || v === null) throw new Error("not an object");
    return v as Record<string, unknown>;
  } catch (err) {
    throw new ProtocolError(`Bad JSON payload: ${(err as Error).message}`);
  }
}

/** Decodes and validates a server frame; throws ProtocolError. */
export function decodeServerFrame(bytes: Uint8Array): ServerFrame {
  if (bytes.length === 0) throw new ProtocolError("Empty frame.");
  const payload = bytes.subarray(1);
  const view = new DataView(payload.buffer, payload.byteOffset, payload.length);
  switch (bytes[0]) {
    case ServerFrameType.Output: {
      if (payload.length < 8) throw new ProtocolError("Output frame is shorter than its offset.");
      if (payload.length - 8 > MAX_OUTPUT_BYTES) throw new ProtocolError("Output frame exceeds the size limit.");
      const offset = view.getFloat64(0);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new ProtocolError(`Bad output offset ${offset}.`);
      return { type: "output", offset, data: payload.subarray(8) };
    }
    case ServerFrameType.Exit: {
      if (payload.length !== 4) throw new ProtocolError("Exit frame must carry 4 bytes.");
      const code = view.getInt32(0);
      return { type: "exit", code: code < 0 ? null : code };
    }
    case ServerFrameType.Error: {
      const v = decodeJson(payload);
      if (typeof v.code !== "string" || typeof v.message !== "string") throw new ProtocolError("Error frame needs a code and a message.");
      return { type: "error", code: v.code as TerminalErrorCode, message: v.message };
    }
    case ServerFrameType.Pong:
      if (payload.length > MAX_PING_BYTES) throw new ProtocolError("Pong frame too large.");
      return { type: "pong", data: payload };
    case ServerFrameType.Ready: {
      const v = decodeJson(payload);
      if (typeof v.readOnly !== "boolean" || typeof v.resumeFrom !== "number" || typeof v.reset !== "boolean") {
        throw new ProtocolError("Ready frame needs readOnly, resumeFrom and reset.");
      }
      return { type: "ready", readOnly: v.readOnly, resumeFrom: v.resumeFrom, reset: v.reset };
    }
    case ServerFrameType.Size: {
      if (payload.length !== 4) throw new ProtocolError("Size frame must carry 4 bytes.");
      const cols = view.getUint16(0);
      const rows = view.getUint16(2);
      if (!validSize(cols, rows)) throw new ProtocolError(`Size frame out of range: ${cols}x${rows}.`);
      return { type: "size", cols, rows };
    }
    default:
      throw new ProtocolError(`Unknown server frame type 0x${(bytes[0] ?? 0).toString(16)}.`);
  }
}

// ---- handshake ----------------------------------------------------------------

/** Builds the query string of the upgrade request. */
export function handshakeQuery(h: TerminalHandshake): string {
  const q = new URLSearchParams({ session: h.session, terminal: h.terminal, offset: String(h.offset), cols: String(h.cols), rows: String(h.rows) });
  return q.toString();
}

/** Parses and validates the handshake; returns a sentence on failure. */
export function parseHandshake(params: URLSearchParams): TerminalHandshake | { error: string } {
  const session = params.get("session") ?? "";
  const terminal = params.get("terminal") ?? "";
  const int = (name: string, fallback: number) => {
    const raw = params.get(name);
    if (raw === null || raw === "") return fallback;
    return /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  };
  const offset = int("offset", 0);
  const cols = int("cols", 80);
  const rows = int("rows", 24);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(session)) return { error: "The session parameter is missing or malformed." };
  if (!TERMINAL_ID_PATTERN.test(terminal)) return { error: "The terminal parameter must be 1-64 letters, digits, dashes or underscores." };
  if (!Number.isSafeInteger(offset)) return { error: "The offset parameter must be a non-negative integer." };
  if (!validSize(cols, rows)) return { error: `The terminal size must be 1-${MAX_COLS} columns and 1-${MAX_ROWS} rows.` };
  return { session, terminal, offset, cols, rows };
}
