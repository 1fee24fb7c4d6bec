import Link from "next/link";
import { accessDeniedMessage } from "../_components/access-denied";
import { LocalTime } from "../_components/local-time";
import { Truncated } from "../_components/truncated";
import { api } from "../_trpc/server";
import { RoleSelect } from "./role-select";

export const metadata = { title: "Accounts" };

const ENVIRONMENT_NAME = { node: "Node labs (a node container per learner)", cluster: "Cluster labs (a kind cluster per learner)" } as const;

/**
 * Which lab environments this install can start, with the operator's reason
 * and fix where one cannot (learners see only that the lab is unavailable).
 */
function LabEnvironments({ availability }: { availability: Awaited<ReturnType<Awaited<ReturnType<typeof api>>["labs"]["availability"]>> }) {
  return (
    <section aria-labelledby="environments" className="mb-8" data-testid="lab-environments">
      <h2 id="environments" className="mb-2 text-lg font-semibold">
        Lab environments
      </h2>
      <ul className="space-y-2 text-sm">
        {Object.values(availability).map((a) => (
          <li key={a.environment} className="rounded border border-zinc-200 p-3 dark:border-zinc-800" data-testid={`environment-${a.environment}`} data-available={a.available}>
            <p className="font-medium">
              {ENVIRONMENT_NAME[a.environment]}:{" "}
              <span className={a.available ? "text-emerald-700 dark:text-emerald-400" : "text-amber-700 dark:text-amber-400"}>{a.available ? "available" : "unavailable"}</span>
            </p>
            {a.operatorReason && <p className="mt-1 text-zinc-700 dark:text-zinc-300">{a.operatorReason}</p>}
            {a.learnerMessage && <p className="mt-1 text-xs text-zinc-500">Learners are told: &ldquo;{a.learnerMessage}&rdquo;</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Accounts and their roles, and what lab environments can start (admins only; the API enforces it, the page reflects it). */
export default async function AdminPage() {
  const caller = await api();
  let users;
  try {
    users = await caller.users.list();
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    throw err;
  }
  const availability = await caller.labs.availability();
  return (
    <section>
      <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
        <h1 className="text-2xl font-semibold">Accounts</h1>
        <Link href="/admin/lti" className="rounded text-sm text-sky-700 hover:underline dark:text-sky-400">
          LMS connections (LTI 1.3)
        </Link>
      </div>
      <LabEnvironments availability={availability} />
      <h2 className="mb-2 text-lg font-semibold">People</h2>
      <div className="overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead>
            <tr className="border-b border-zinc-200 dark:border-zinc-800">
              <th className="py-2">Email</th>
              <th>Name</th>
              <th>Joined</th>
              <th>Role</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} className="border-b border-zinc-100 dark:border-zinc-900">
                <td className="py-2 pr-3">
                  <Truncated text={u.email} className="block max-w-72" />
                </td>
                <td className="pr-3">
                  <Truncated text={u.name} className="block max-w-72" />
                </td>
                <td>
                  <LocalTime date={u.createdAt} dateOnly />
                </td>
                <td>
                  <RoleSelect key={u.role} userId={u.id} email={u.email} role={u.role} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
