"use client";

import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useTRPC } from "../_trpc/client";

/** A role picker for one account; the server decides, this only asks. */
export function RoleSelect({ userId, email, role }: { userId: string; email: string; role: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const setRole = useMutation(
    trpc.users.setRole.mutationOptions({
      onSuccess: () => {
        setError(null);
        router.refresh();
      },
      onError: (e) => setError(e.message),
    }),
  );
  return (
    <div>
      <label className="sr-only" htmlFor={`role-${userId}`}>
        Role of {email}
      </label>
      <select
        id={`role-${userId}`}
        defaultValue={role}
        disabled={setRole.isPending}
        onChange={(e) => setRole.mutate({ userId, role: e.target.value as "learner" | "instructor" | "admin" })}
        className="rounded border border-zinc-300 bg-transparent px-2 py-1 text-sm dark:border-zinc-700"
      >
        <option value="learner">learner</option>
        <option value="instructor">instructor</option>
        <option value="admin">admin</option>
      </select>
      {error && (
        <p role="alert" className="mt-1 text-xs text-red-700 dark:text-red-300">
          {error}
        </p>
      )}
    </div>
  );
}
