import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { IsolationBanner } from "./_components/isolation-banner";
import { PlatformStatus } from "./_components/platform-status";
import { SignOutButton } from "./_components/sign-out-button";
import { Truncated } from "./_components/truncated";
import { NO_FLASH_THEME_SCRIPT } from "./_components/theme-script";
import { ThemeToggle } from "./_components/theme-toggle";
import { ApiProvider } from "./_trpc/client";
import { api } from "./_trpc/server";
import "./globals.css";

// Every page shows who is signed in, so nothing is prerendered at build time.
export const dynamic = "force-dynamic";

export const metadata: Metadata = {
  title: { default: "Runtime Labs", template: "%s · Runtime Labs" },
  description: "Hands-on labs for the container runtime stack, on a real node of your own.",
};

type Me = Awaited<ReturnType<Awaited<ReturnType<typeof api>>["system"]["me"]>>;

/**
 * The header's links, in order. A link shows when `show` says so for the
 * signed-in user (null when signed out); add role-specific pages here.
 */
const NAV_LINKS: { href: string; label: string; show: (me: Me) => boolean }[] = [
  { href: "/", label: "Labs", show: () => true },
  { href: "/instructor", label: "Cohorts", show: (me) => me?.role === "instructor" || me?.role === "admin" },
  { href: "/admin", label: "Accounts", show: (me) => me?.role === "admin" },
];

const navLink = "rounded text-sm text-zinc-600 hover:underline dark:text-zinc-300";

export default async function RootLayout({ children }: { children: ReactNode }) {
  const caller = await api();
  const me = await caller.system.me();
  // Admins see, on every page, when learners' nodes are not contained as promised.
  const isolation = me?.role === "admin" ? (await caller.system.health()).isolation : null;
  return (
    // The inline script sets the theme class on <html> before React hydrates,
    // so <html>'s attributes differ from the server's on purpose.
    <html lang="en" suppressHydrationWarning>
      <head>
        <script dangerouslySetInnerHTML={{ __html: NO_FLASH_THEME_SCRIPT }} />
      </head>
      <body className="min-h-screen bg-white font-sans text-zinc-900 antialiased dark:bg-zinc-950 dark:text-zinc-100">
        <ApiProvider>
          <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-sky-600 focus:px-3 focus:py-1 focus:text-white">
            Skip to content
          </a>
          <header className="border-b border-zinc-200 dark:border-zinc-800">
            <nav aria-label="Main" className="mx-auto flex max-w-5xl flex-wrap items-center gap-4 px-4 py-3">
              <Link href="/" className="rounded font-semibold tracking-tight">
                Runtime Labs
              </Link>
              {NAV_LINKS.filter((l) => l.show(me)).map((l) => (
                <Link key={l.href} href={l.href} className={navLink}>
                  {l.label}
                </Link>
              ))}
              <div className="ml-auto flex items-center gap-3">
                <PlatformStatus />
                <ThemeToggle />
                {me ? (
                  <>
                    <Link href="/account" title="Your account" className="flex min-w-0 items-center rounded text-sm hover:underline" data-testid="current-user">
                      <span className="sr-only">Your account: </span>
                      <Truncated text={me.email} className="max-w-64" />
                      <span className="ml-1 rounded bg-zinc-100 px-1.5 py-0.5 text-xs text-zinc-600 dark:bg-zinc-800 dark:text-zinc-300">{me.role}</span>
                    </Link>
                    <SignOutButton />
                  </>
                ) : (
                  <>
                    <Link href="/sign-in" className="rounded text-sm hover:underline">
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
          <IsolationBanner report={isolation} />
          {/* tabIndex -1: the skip link moves keyboard focus here, not only the scroll position. */}
          <main id="main" tabIndex={-1} className="mx-auto max-w-5xl px-4 py-8">
            {children}
          </main>
        </ApiProvider>
      </body>
    </html>
  );
}
