import { describe, expect, it } from "vitest";
import {
  ClientFrameType,
  decodeClientFrame,
  decodeServerFrame,
  encodeClose,
  encodeError,
  encodeExit,
  encodeInput,
  encodeInputChunks,
  encodeOutput,
  encodePing,
  encodePong,
  encodeReady,
  encodeSize,
  encodeResize,
  handshakeQuery,
  isFinalClose,
  MAX_INPUT_BYTES,
  parseHandshake,
  ProtocolError,
} from "./protocol";

describe("terminal protocol", () => {
  it("round-trips every client frame", () => {
    expect(decodeClientFrame(encodeInput("ls -l\r"))).toEqual({ type: "input", data: new TextEncoder().encode("ls -l\r") });
    expect(decodeClientFrame(encodeResize(132, 43))).toEqual({ type: "resize", cols: 132, rows: 43 });
    expect(decodeClientFrame(encodePing(new Uint8Array([1, 2, 3])))).toEqual({ type: "ping", data: new Uint8Array([1, 2, 3]) });
    expect(decodeClientFrame(encodeClose())).toEqual({ type: "close" });
  });

  it("round-trips every server frame, output bytes untouched", () => {
    const emoji = new TextEncoder().encode("😀");
    // Half a character on purpose: output is bytes, never decoded here.
    expect(decodeServerFrame(encodeOutput(2 ** 40, emoji.subarray(0, 2)))).toEqual({ type: "output", offset: 2 ** 40, data: emoji.subarray(0, 2) });
    expect(decodeServerFrame(encodeExit(130))).toEqual({ type: "exit", code: 130 });
    expect(decodeServerFrame(encodeExit(null))).toEqual({ type: "exit", code: null });
    expect(decodeServerFrame(encodeError("READ_ONLY", "You are watching."))).toEqual({ type: "error", code: "READ_ONLY", message: "You are watching." });
    expect(decodeServerFrame(encodePong(new Uint8Array([9])))).toEqual({ type: "pong", data: new Uint8Array([9]) });
    expect(decodeServerFrame(encodeReady({ readOnly: true, resumeFrom: 5, reset: false }))).toEqual({ type: "ready", readOnly: true, resumeFrom: 5, reset: false });
    expect(decodeServerFrame(encodeSize(82, 30))).toEqual({ type: "size", cols: 82, rows: 30 });
    expect(() => encodeSize(0, 30)).toThrow(ProtocolError);
    expect(() => decodeServerFrame(new Uint8Array([0x86, 0, 0, 0, 30]))).toThrow(/out of range/);
  });

  it("rejects unknown types, bad lengths and oversized frames", () => {
    expect(() => decodeClientFrame(new Uint8Array())).toThrow(ProtocolError);
    expect(() => decodeClientFrame(new Uint8Array([0x7f]))).toThrow("Unknown client frame type 0x7f.");
    expect(() => decodeClientFrame(new Uint8Array([ClientFrameType.Resize, 0, 80]))).toThrow("Resize frame must carry 4 bytes; got 2.");
    expect(() => decodeClientFrame(new Uint8Array([ClientFrameType.Resize, 0, 0, 0, 24]))).toThrow("out of range");
    const big = new Uint8Array(MAX_INPUT_BYTES + 2);
    big[0] = ClientFrameType.Input;
    expect(() => decodeClientFrame(big)).toThrow("exceeds the 65536-byte limit");
    expect(() => decodeClientFrame(new Uint8Array([ClientFrameType.Ping, ...new Uint8Array(65)]))).toThrow(ProtocolError);
    expect(() => decodeServerFrame(new Uint8Array([0x81, 1, 2]))).toThrow("shorter than its offset");
    expect(() => decodeServerFrame(new Uint8Array([0x83, 0x7b]))).toThrow("Bad JSON payload");
    expect(() => decodeClientFrame(new Uint8Array([ClientFrameType.Close, 0]))).toThrow("Close frame carries no payload.");
    expect(() => encodeResize(0, 24)).toThrow(ProtocolError);
    expect(() => encodeInput(new Uint8Array(MAX_INPUT_BYTES + 1))).toThrow(ProtocolError);
  });

  it("splits long input into valid frames", () => {
    const frames = encodeInputChunks("x".repeat(MAX_INPUT_BYTES * 2 + 10));
    expect(frames.map((f) => f.length - 1)).toEqual([MAX_INPUT_BYTES, MAX_INPUT_BYTES, 10]);
    for (const f of frames) expect(decodeClientFrame(f).type).toBe("input");
  });

  it("parses the handshake and explains what is wrong", () => {
    const q = handshakeQuery({ session: "cm1abc", terminal: "t-1", offset: 1234, cols: 100, rows: 30 });
    expect(parseHandshake(new URLSearchParams(q))).toEqual({ session: "cm1abc", terminal: "t-1", offset: 1234, cols: 100, rows: 30 });
    expect(parseHandshake(new URLSearchParams("session=s&terminal=t"))).toEqual({ session: "s", terminal: "t", offset: 0, cols: 80, rows: 24 });
    expect(parseHandshake(new URLSearchParams("terminal=t"))).toEqual({ error: "The session parameter is missing or malformed." });
    expect(parseHandshake(new URLSearchParams("session=s&terminal=a/b"))).toHaveProperty("error");
    expect(parseHandshake(new URLSearchParams("session=s&terminal=t&offset=-1"))).toHaveProperty("error");
    expect(parseHandshake(new URLSearchParams("session=s&terminal=t&cols=5000"))).toHaveProperty("error");
  });

  it("marks application close codes as final", () => {
    expect(isFinalClose(4410)).toBe(true);
    expect(isFinalClose(1006)).toBe(false);
    expect(isFinalClose(1012)).toBe(false);
  });
});
