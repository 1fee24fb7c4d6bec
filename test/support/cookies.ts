/**
 * The Cookie request header a browser would send after this auth response
 * (name=value of each Set-Cookie). No vitest imports: benchmarks use it too.
 */
export function cookieHeader(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}
