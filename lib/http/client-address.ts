import { headerValue } from './http-event.js';
import type { HttpEvent } from './http-event.js';

/**
 * On the license site's domain CloudFront stands between the client and API Gateway, which then
 * reports CloudFront's address as the source. The distribution sends the viewer's address along, and
 * the API's web ACL marks the requests that really came through the distribution (they carry its
 * secret origin header); only a marked request's viewer address is believed (docs/DEPLOYMENT.md).
 */

/** Set by the distribution's viewer-request function on the API's paths: the viewer's IP address, overwriting whatever the viewer sent. */
export const viewerAddressHeader = 'x-viewer-address';
/** What the web ACL inserts on a request that carried the distribution's secret origin header; WAF names it `x-amzn-waf-<name>`. */
export const siteOriginMark = { name: 'site-origin', value: 'true' } as const;
export const siteOriginMarkHeader = `x-amzn-waf-${siteOriginMark.name}`;
/** Every header of this prefix is WAF's to insert: the web ACL blocks requests that arrive with one. */
export const wafHeaderPrefix = 'x-amzn-waf-';

/** The client's address: the viewer's on a request the web ACL marked as the distribution's, else the one API Gateway saw. */
export function sourceIpOf(event: HttpEvent): string | undefined {
  const viaSite = headerValue(event, siteOriginMarkHeader) === siteOriginMark.value;
  return (viaSite ? headerValue(event, viewerAddressHeader) : undefined) ?? event.requestContext?.identity?.sourceIp ?? undefined;
}
