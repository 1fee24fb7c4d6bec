import { accessDeniedMessage } from "../_components/access-denied";
import { Truncated } from "../_components/truncated";
import { api } from "../_trpc/server";
import { RoleSelect } from "./role-select";

export const metadata = { title: "Accounts" };

/** Accounts and their roles (admins only; the API enforces it, the page reflects it). */
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
  return (
    <section>
      <h1 className="mb-4 text-2xl font-semibold">Accounts</h1>
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
              <td>{u.createdAt.toISOString().slice(0, 10)}</td>
              <td>
                <RoleSelect userId={u.id} email={u.email} role={u.role} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </section>
  );
}
