import Link from "next/link";

export default function NotFound() {
  return (
    <div className="py-16 text-center">
      <h1 className="text-2xl font-semibold">Not found</h1>
      <p className="mt-2 text-zinc-600 dark:text-zinc-400">There is nothing at this address. It may have been renamed or archived.</p>
      <Link href="/" className="mt-4 inline-block text-sky-600 underline">
        Back to the labs
      </Link>
    </div>
  );
}
