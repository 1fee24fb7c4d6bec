import { z } from "zod";
import { MAX_LAB_SLUG } from "../limits";
import { taskSchema } from "./tasks";

/** `20m`, `1h`, `1h30m`, or a number of minutes. */
const duration = z
  .union([z.number().int().positive(), z.string()])
  .transform((value, ctx) => {
    if (typeof value === "number") return value;
    const m = /^\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$/.exec(value);
    const minutes = m && (m[1] || m[2]) ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
    if (!Number.isFinite(minutes) || minutes <= 0) {
      ctx.addIssue({ code: "custom", message: `duration "${value}" is not understood: write minutes like 20m, 1h or 1h30m` });
      return z.NEVER;
    }
    return minutes;
  });

/** The frontmatter every lab declares. */
export const labFrontmatterSchema = z.strictObject(
  {
    title: z.string({ error: "title is required: a short name for the lab" }).trim().min(3, "title must be at least 3 characters").max(120),
    summary: z.string({ error: "summary is required: one or two sentences on what the learner will do" }).trim().min(10, "summary must be at least 10 characters").max(400),
    difficulty: z.enum(["beginner", "intermediate", "advanced"], {
      error: "difficulty must be one of beginner, intermediate, advanced",
    }),
    duration: duration.describe("Expected time: 20m, 1h, 1h30m"),
    environment: z.enum(["node", "cluster"], {
      error: "environment must be node (a node container) or cluster (a kind cluster)",
    }),
    tags: z.array(z.string().regex(/^[a-z0-9-]+$/, "tags are lowercase words with dashes")).max(12).default([]),
    track: z
      .string({ error: "track is the name of a learning path, e.g. Container runtime fundamentals" })
      .trim()
      .min(3, "track must be at least 3 characters")
      .max(60, "track must be at most 60 characters")
      .optional()
      .describe("The learning path this lab belongs to; labs of one track are shown together, in order"),
    order: z
      .number({ error: "order is the lab's place in its track: a whole number from 1" })
      .int("order must be a whole number")
      .min(1, "order starts at 1")
      .max(999, "order must be at most 999")
      .optional()
      .describe("The lab's place in its track (1 first); needs track"),
    tasks: z.array(taskSchema).max(30, "a lab can have at most 30 tasks; split it into two labs").default([]),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : undefined) },
);

export type LabFrontmatter = z.output<typeof labFrontmatterSchema>;

/** Lab directory names double as URL slugs: 2 to MAX_LAB_SLUG lowercase letters, digits and dashes. */
export const SLUG_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{1,${MAX_LAB_SLUG - 1}}$`);

/** JSON Schema of lab frontmatter for editors (docs/lab.schema.json), generated from the zod schema. */
export function labJsonSchema(): Record<string, unknown> {
  const json = z.toJSONSchema(labFrontmatterSchema, { io: "input", unrepresentable: "any" });
  return { ...json, title: "Runtime Labs lab frontmatter", $id: "runtime-labs/lab.schema.json" };
}
