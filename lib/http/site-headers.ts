/**
 * The license site's security headers, one definition for both places that serve it: the local
 * server (dev/site-files.ts) and CloudFront's response headers policy (cdk/constructs/license-site.ts).
 * No inline script, style or frame anywhere; the only other origin the site talks to is the user directory.
 */
export function siteContentSecurityPolicy(directoryOrigin: string | undefined, options: { upgradeInsecureRequests: boolean }): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${directoryOrigin ? ` ${directoryOrigin}` : ''}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.upgradeInsecureRequests ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

/** Two years, subdomains included: the site is HTTPS only on AWS (browsers ignore it over local HTTP). */
export const strictTransportSecurityMaxAgeSeconds = 63_072_000;

export function siteSecurityHeaders(directoryOrigin: string | undefined): Record<string, string> {
  return {
    'Content-Security-Policy': siteContentSecurityPolicy(directoryOrigin, { upgradeInsecureRequests: false }),
    'Strict-Transport-Security': `max-age=${strictTransportSecurityMaxAgeSeconds}; includeSubDomains`,
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
