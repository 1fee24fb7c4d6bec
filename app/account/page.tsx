import { redirect } from "next/navigation";
import { Truncated } from "../_components/truncated";
import { api } from "../_trpc/server";
import { ApiTokens } from "./api-tokens";
import { DisplayNameForm } from "./display-name-form";
import { PasswordForm } from "./password-form";
import { SessionHistory } from "./session-history";

export const metadata = { title: "Your account" };

const roleText = { learner: "Learner", instructor: "Instructor", admin: "Administrator" } as const;

/** The signed-in user's profile: who they are, name and password, and their lab sessions. */
export default async function AccountPage() {
  const caller = await api();
  const me = await caller.system.me();
  if (!me) redirect("/sign-in?next=/account");
  const history = await caller.sessions.history();
  const h2 = "mb-3 text-lg font-semibold";
  return (
    <div className="space-y-10">
      <section aria-labelledby="profile-heading">
        <h1 id="profile-heading" className="mb-4 text-2xl font-semibold">
          Your account
        </h1>
        {/* minmax(0, 1fr): the values' column may be narrower than a long value, which is then cut. */}
        <dl className="grid max-w-md grid-cols-[auto_minmax(0,1fr)] gap-x-6 gap-y-1 text-sm" data-testid="profile">
          <dt className="text-zinc-500">Name</dt>
          <dd data-testid="profile-name">
            <Truncated text={me.name} className="block" />
          </dd>
          <dt className="text-zinc-500">Email</dt>
          <dd data-testid="profile-email">
            <Truncated text={me.email} className="block" />
          </dd>
          <dt className="text-zinc-500">Role</dt>
          <dd data-testid="profile-role">{roleText[me.role]}</dd>
        </dl>
        <p className="mt-2 text-xs text-zinc-500">Only an administrator can change roles.</p>
      </section>

      <section aria-labelledby="name-heading">
        <h2 id="name-heading" className={h2}>
          Name
        </h2>
        <DisplayNameForm name={me.name} />
      </section>

      <section aria-labelledby="password-heading">
        <h2 id="password-heading" className={h2}>
          Password
        </h2>
        <PasswordForm />
      </section>

      <section aria-labelledby="history-heading">
        <h2 id="history-heading" className={h2}>
          Your lab sessions
        </h2>
        <SessionHistory sessions={history} />
      </section>

      <ApiTokens />
    </div>
  );
}
