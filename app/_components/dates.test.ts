import { describe, expect, it } from "vitest";
import { formatDate, utcPlaceholder } from "./dates";

const d = new Date("2026-12-03T16:05:00Z");

describe("dates", () => {
  it("formats in the viewer's locale and zone, medium date and short time", () => {
    expect(formatDate(d, { locale: "en-GB", timeZone: "Europe/Berlin" })).toBe("3 Dec 2026, 17:05");
    expect(formatDate(d, { locale: "en-US", timeZone: "America/New_York" })).toBe("Dec 3, 2026, 11:05 AM");
    expect(formatDate(d.toISOString(), { locale: "en-GB", timeZone: "UTC", dateOnly: true })).toBe("3 Dec 2026");
  });

  it("gives the server's placeholder in UTC", () => {
    expect(utcPlaceholder(d)).toBe("2026-12-03 16:05 UTC");
    expect(utcPlaceholder(d, true)).toBe("2026-12-03");
  });
});
