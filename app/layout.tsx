import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { PlatformStatus } from "./_components/platform-status";
import { SignOutButton } from "./_components/sign-out-button";
import { ApiProvider } from "./_trpc/client";
import { api } from "./_trpc/server";
import "./globals.css";

// Every page shows who is signed in, so nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Runtime Labs", template: "%s · Runtime Labs" },
  description: "Hands-on labs for the container runtime stack, on a real node of your own.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const me = await (await api()).system.me();
  return (
    <html lang="en">
      <body className="min-h-screen bg-white font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <ApiProvider>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-sky-600 focus:px-3 focus:py-1 focus:text-white">
            Skip to content
          </a>
          <header className="border-b border-zinc-200 dark:border-zinc-800">
            <nav aria-label="Main" className="mx-auto flex max-w-5xl items-center gap-4 px-4 py-3">
              <Link href="/" className="font-semibold tracking-tight">
                Runtime Labs
              </Link>
              <Link href="/" className="text-sm text-zinc-600 hover:underline dark:text-zinc-300">
                Labs
              </Link>
              {me?.role === "admin" && (
                <Link href="/admin" className="text-sm text-zinc-600 hover:underline dark:text-zinc-300">
                  Accounts
                </Link>
              )}
              <div className="ml-auto flex items-center gap-3">
                <PlatformStatus />
                {me ? (
                  <>
                    <span className="text-sm" data-testid="current-user">
                      {me.email}
                      <span className="ml-1 rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">{me.role}</span>
                    </span>
                    <SignOutButton />
                  </>
                ) : (
                  <>
                    <Link href="/sign-in" className="text-sm hover:underline">
                      Sign in
                    </Link>
                    <Link href="/sign-up" className="rounded bg-sky-600 px-3 py-1 text-sm font-medium text-white hover:bg-sky-700">
                      Sign up
                    </Link>
                  </>
                )}
              </div>
            </nav>
          </header>
          <main id="main" className="mx-auto max-w-5xl px-4 py-8">
            {children}
          </main>
        </ApiProvider>
      </body>
    </html>
  );
}
