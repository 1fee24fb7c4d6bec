import Link from "next/link";

/** The small "← Cohorts"-style link above a staff page's heading. */
export function BackLink({ href, label }: { href: string; label: string }) {
  return (
    <p className="text-sm">
      <Link href={href} className="rounded text-sky-700 hover:underline dark:text-sky-400">
        ← {label}
      </Link>
    </p>
  );
}
