import { TRPCError } from "@trpc/server";
import { accessDeniedMessage } from "../../../_components/access-denied";
import { api } from "../../../_trpc/server";

export const metadata = { title: "Add labs to your course" };

/**
 * The lab picker an instructor sees when their LMS asks to add activities
 * (LTI Deep Linking). A plain form: it posts to /api/lti/deep-link, which
 * signs the choice and hands it back to the LMS.
 */
export default async function DeepLinkPickerPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const caller = await api();
  let picker;
  try {
    picker = await caller.lti.deepLinkPicker({ requestId: id });
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    if (err instanceof TRPCError && ["NOT_FOUND", "CONFLICT", "BAD_REQUEST"].includes(err.code)) {
      return (
        <p role="alert" className="text-zinc-700 dark:text-zinc-300">
          {err.message}
        </p>
      );
    }
    throw err;
  }
  const input = picker.acceptMultiple ? "checkbox" : "radio";
  return (
    <section className="max-w-2xl">
      <h1 className="mb-2 text-2xl font-semibold">Add labs to your course</h1>
      <p className="mb-4 text-sm text-zinc-600 dark:text-zinc-400">
        Each lab you pick becomes an activity in {picker.platformName} with a grade column worth the lab&rsquo;s points. Learners&rsquo; scores are sent as they pass tasks.
      </p>
      <form method="post" action="/api/lti/deep-link" data-testid="lti-picker">
        <input type="hidden" name="request" value={picker.id} />
        <fieldset>
          <legend className="sr-only">Labs</legend>
          <ul className="space-y-2">
            {picker.labs.map((l) => (
              <li key={l.slug} className="rounded border border-zinc-200 p-3 dark:border-zinc-800">
                <label className="flex items-start gap-3">
                  <input type={input} name="lab" value={l.slug} className="mt-1" />
                  <span>
                    <span className="font-medium">{l.title}</span>{" "}
                    <span className="text-xs text-zinc-500">
                      {l.taskCount} task{l.taskCount === 1 ? "" : "s"}, {l.maxPoints} points
                    </span>
                    <span className="block text-sm text-zinc-600 dark:text-zinc-400">{l.summary}</span>
                  </span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <button type="submit" className="mt-4 rounded bg-sky-600 px-4 py-2 text-sm font-medium text-white hover:bg-sky-700">
          Add to course
        </button>
      </form>
    </section>
  );
}
