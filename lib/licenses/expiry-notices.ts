import type { AuditEvent } from '@license-activation/contract/schemas';
import type { StoredLicenseStatus } from '@license-activation/contract/license-state';
import type { Table } from '../platform/dynamodb.js';
import { eventPuts } from '../data/events.js';
import { dueExpiryNotices, expiryNoticesChange } from '../data/license-expiry-notices.js';
import type { ExpiryNotice, ExpiryNotices } from '../data/license-expiry-notices.js';
import { getLicense } from '../data/licenses.js';
import { transactWrite } from '../data/transactions.js';
import { systemActor } from '../auth/principal.js';
import { newId } from '../ids.js';

/**
 * `license.expiring` and `license.expired` (API.md §9): when a license enters the 30-day window before its
 * `expiresAt` and again the 7-day window, each at most once (at its issue if it is issued inside one), then
 * once it has passed. A scheduled job gives them within an hour of the moment (hourly on AWS; under
 * `npm start` at start and hourly). A license inside both windows at once (issued 5 days before its end, or
 * the job stopped for weeks) gets the narrower notice alone; a revoked license gets none.
 */

const dayMs = 24 * 60 * 60 * 1000;

export type NoticeDecision =
  | { readonly kind: 'done' }
  | { readonly kind: 'later'; readonly nextAt: string }
  | { readonly kind: 'give'; readonly notice: Pick<AuditEvent, 'type' | 'data'>; readonly given: readonly ExpiryNotice[]; readonly nextAt?: string };

/** The notice due at `now`, if any, and when the next one is. Pure. */
export function decideExpiryNotice(license: { status: StoredLicenseStatus; expiresAt: string }, given: readonly ExpiryNotice[], now: Date): NoticeDecision {
  if (license.status === 'revoked') return { kind: 'done' };
  const expiresAt = Date.parse(license.expiresAt);
  const sevenDays = expiresAt - 7 * dayMs;
  const thirtyDays = expiresAt - 30 * dayMs;
  const at = now.getTime();
  const expiring = (nextAt: number, marks: ExpiryNotice[]): NoticeDecision => ({
    kind: 'give',
    notice: { type: 'license.expiring', data: { expiresAt: license.expiresAt, daysLeft: Math.ceil((expiresAt - at) / dayMs) } },
    given: marks,
    nextAt: new Date(nextAt).toISOString(),
  });
  if (at >= expiresAt) {
    return given.includes('expired') ? { kind: 'done' } : { kind: 'give', notice: { type: 'license.expired', data: { expiresAt: license.expiresAt } }, given: ['30', '7', 'expired'] };
  }
  if (at >= sevenDays) return given.includes('7') ? { kind: 'later', nextAt: license.expiresAt } : expiring(expiresAt, ['30', '7']);
  if (at >= thirtyDays) return given.includes('30') ? { kind: 'later', nextAt: new Date(sevenDays).toISOString() } : expiring(sevenDays, ['30']);
  return { kind: 'later', nextAt: new Date(thirtyDays).toISOString() };
}

/** Gives one license's due notice, with its event, in one transaction; false when nothing was written. */
async function giveNotice(table: Table, notices: ExpiryNotices, now: Date): Promise<boolean> {
  const license = await getLicense(table, notices.licenseId);
  const decision = license ? decideExpiryNotice({ status: license.status, expiresAt: notices.expiresAt }, notices.given, now) : { kind: 'done' as const };
  if (decision.kind === 'later') return (await transactWrite(table, [expiryNoticesChange(table, notices, { given: notices.given, nextAt: decision.nextAt })])).ok;
  if (decision.kind === 'done' || !license) return (await transactWrite(table, [expiryNoticesChange(table, notices, { given: notices.given })])).ok;
  const event: AuditEvent = { id: newId('evt', now), createdAt: now.toISOString(), actor: systemActor, customerId: license.customerId, licenseId: license.id, ...decision.notice };
  const outcome = await transactWrite(table, [expiryNoticesChange(table, notices, decision), ...eventPuts(table, event)]);
  return outcome.ok;
}

/** The scheduled job: every notice due by `now`. A notice given by an overlapping run fails its condition here, so none is given twice. */
export async function giveExpiryNotices(deps: { table: Table }, now: Date, batch = 100): Promise<{ handled: number }> {
  let handled = 0;
  for (;;) {
    const due = await dueExpiryNotices(deps.table, now, batch);
    let progressed = 0;
    for (const notices of due) if (await giveNotice(deps.table, notices, now)) progressed += 1;
    handled += progressed;
    // A short page is the last; a page where nothing could be written is left to the next run.
    if (due.length < batch || progressed === 0) return { handled };
  }
}
