import { accessDeniedMessage } from "../../_components/access-denied";
import { LocalTime } from "../../_components/local-time";
import { Truncated } from "../../_components/truncated";
import { api } from "../../_trpc/server";
import { DeletePlatform, PlatformForm, RotateKey } from "./lti-forms";

export const metadata = { title: "LTI" };

function Copyable({ label, value, testId }: { label: string; value: string; testId: string }) {
  return (
    <div className="py-1">
      <dt className="text-sm font-medium">{label}</dt>
      <dd className="font-mono text-sm break-all" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** LMS registrations, our keys and the latest grade passbacks (admins only; the API enforces it). */
export default async function LtiAdminPage() {
  const caller = await api();
  let urls;
  try {
    urls = await caller.lti.toolUrls();
  } catch (err) {
    const denied = accessDeniedMessage(err);
    if (denied) return <p className="text-zinc-600 dark:text-zinc-400">{denied}</p>;
    throw err;
  }
  const [platforms, keys, deliveries] = await Promise.all([caller.lti.platforms(), caller.lti.keys(), caller.lti.scoreDeliveries({ limit: 20 })]);
  return (
    <section className="space-y-8">
      <div>
        <h1 className="mb-2 text-2xl font-semibold">LTI 1.3 (LMS integration)</h1>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Give these to the LMS administrator when adding Runtime Labs as an external tool; see docs/lms.md for Moodle and Canvas.</p>
        <dl className="mt-3">
          <Copyable label="Login initiation URL" value={urls.loginUrl} testId="lti-login-url" />
          <Copyable label="Launch / redirect URL (also the deep linking URL)" value={urls.launchUrl} testId="lti-launch-url" />
          <Copyable label="Public keyset (JWKS) URL" value={urls.jwksUrl} testId="lti-jwks-url" />
        </dl>
      </div>

      <div>
        <h2 className="mb-2 text-lg font-semibold">Registered LMSs</h2>
        {platforms.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">None yet.</p>
        ) : (
          <ul className="space-y-2" data-testid="lti-platforms">
            {platforms.map((p) => (
              <li key={p.id} className="rounded border border-zinc-200 p-3 text-sm dark:border-zinc-800">
                <div className="flex items-start justify-between gap-3">
                  <div className="min-w-0">
                    <p className="font-medium">{p.name}</p>
                    <Truncated text={`${p.issuer} · client ${p.clientId}`} className="block max-w-xl font-mono text-xs" />
                    <p className="text-xs text-zinc-500">Deployments: {p.deploymentIds.join(", ")}</p>
                  </div>
                  <DeletePlatform id={p.id} name={p.name} />
                </div>
              </li>
            ))}
          </ul>
        )}
        <h3 className="mb-2 mt-6 font-semibold">Register an LMS</h3>
        <PlatformForm />
      </div>

      <div>
        <div className="mb-2 flex items-center gap-3">
          <h2 className="text-lg font-semibold">Signing keys</h2>
          <RotateKey />
        </div>
        <ul className="space-y-1 text-sm">
          {keys.map((k) => (
            <li key={k.kid} className="font-mono text-xs">
              {k.kid} · made <LocalTime date={k.createdAt} dateOnly /> ·{" "}
              {k.current ? (
                "current"
              ) : (
                <>
                  retired, listed until <LocalTime date={k.expiresAt!} dateOnly />
                </>
              )}
            </li>
          ))}
        </ul>
      </div>

      <div>
        <h2 className="mb-2 text-lg font-semibold">Latest grade passbacks</h2>
        {deliveries.length === 0 ? (
          <p className="text-sm text-zinc-600 dark:text-zinc-400">No scores sent yet.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead>
                <tr className="border-b border-zinc-200 dark:border-zinc-800">
                  <th className="py-2">When</th>
                  <th>LMS</th>
                  <th>Lab</th>
                  <th>Score</th>
                  <th>Status</th>
                  <th>Last error</th>
                </tr>
              </thead>
              <tbody>
                {deliveries.map((d) => (
                  <tr key={d.id} className="border-b border-zinc-100 dark:border-zinc-900">
                    <td className="py-2 pr-3">
                      <LocalTime date={d.createdAt} />
                    </td>
                    <td className="pr-3">{d.platformName}</td>
                    <td className="pr-3">{d.labSlug}</td>
                    <td className="pr-3">
                      {d.scoreGiven}/{d.scoreMaximum} ({d.gradingProgress})
                    </td>
                    <td className="pr-3">
                      {d.status}
                      {d.attempts > 1 ? ` after ${d.attempts} attempts` : ""}
                    </td>
                    <td>
                      <Truncated text={d.lastError ?? ""} className="block max-w-md" />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
