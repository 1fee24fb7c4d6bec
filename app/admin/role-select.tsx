"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../_trpc/client";

type Role = "learner" | "instructor" | "admin";

/**
 * A role picker for one account; the server decides, this only asks. The
 * picker shows the role asked for while the request is on its way, then the
 * role the server holds: a refusal (the last admin cannot be demoted) puts
 * it back, with the server's sentence beside it.
 */
export function RoleSelect({ userId, email, role }: { userId: string; email: string; role: Role }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [saved, setSaved] = useState<Role>(role);
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: (user) => {
        setSaved(user.role);
        router.refresh();
      },
    }),
  );
  const shown = setRole.isPending && setRole.variables ? setRole.variables.role : saved;
  return (
    <div>
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select
        id={`role-${userId}`}
        value={shown}
        disabled={setRole.isPending}
        onChange={(e) => setRole.mutate({ userId, role: e.target.value as Role })}
        className="rounded border border-zinc-300 bg-transparent px-2 py-1 text-sm dark:border-zinc-700"
      >
        <option value="learner">learner</option>
        <option value="instructor">instructor</option>
        <option value="admin">admin</option>
      </select>
      {setRole.error && (
        <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
          {setRole.error.message}
        </p>
      )}
    </div>
  );
}
