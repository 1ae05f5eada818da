import { useEffect, useMemo, useState } from 'react';
import { api } from '../api/client';
import type { AuditEvent, License } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { describeLicense, licenseLabel } from './license-words';
import { useCustomers } from './use-customers';

/** Names for what events mention by id: who acted, the license, the installation, the customer. */
export interface EventNames {
  actor(event: AuditEvent): string;
  license(licenseId: string): string;
  installation(installationId: string): string;
  customer(customerId: string): string;
}

const short = (id: string) => (id.length > 12 ? `${id.slice(0, 12)}…` : id);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * What the events themselves say of licenses and installations: `license.issued` carries the product,
 * type, quantity and key prefix; activations and trials the hostname.
 */
function namesInEvents(events: readonly AuditEvent[]) {
  const licenses = new Map<string, string>();
  const installations = new Map<string, string>();
  for (const event of events) {
    const data = event.data ?? {};
    if (event.type === 'license.issued' && event.licenseId && text(data.productId) && text(data.keyPrefix)) {
      const grant = { productId: String(data.productId), type: data.type as License['type'], quantity: Number(data.quantity ?? 1), edition: text(data.edition) };
      licenses.set(event.licenseId, `${describeLicense(grant)} (key ${String(data.keyPrefix)}-…)`);
    }
    if (event.installationId && text(data.hostname)) installations.set(event.installationId, String(data.hostname));
    if (event.actor.kind === 'installation' && event.actor.name) installations.set(event.actor.id, event.actor.name);
  }
  return { licenses, installations };
}

/**
 * Names for the events on screen. The API names the actor (`actor.name`) where it can; otherwise the site
 * knows its own person, the accounts it acts for and their customers, and looks up, once each, the
 * licenses the events name (product and key prefix) and who holds them (hostnames).
 */
export function useEventNames(events: readonly AuditEvent[]): EventNames {
  const { me, membership } = useSession();
  const customers = useCustomers();
  const [fetchedLicenses, setFetchedLicenses] = useState<ReadonlyMap<string, string>>(new Map());
  const [fetchedInstallations, setFetchedInstallations] = useState<ReadonlyMap<string, string>>(new Map());
  const fromEvents = useMemo(() => namesInEvents(events), [events]);

  const unknownLicenses = [...new Set(events.flatMap((event) => (event.licenseId ? [event.licenseId] : [])))].filter(
    (id) => !fromEvents.licenses.has(id) && !fetchedLicenses.has(id),
  );
  const licensesOfUnknownInstallations = [
    ...new Set(events.flatMap((event) => (event.installationId && event.licenseId && !fromEvents.installations.has(event.installationId) ? [event.licenseId] : []))),
  ].filter((id) => !fetchedInstallations.has(`license:${id}`));

  useEffect(() => {
    if (unknownLicenses.length === 0) return;
    let current = true;
    void Promise.all(
      unknownLicenses.map(async (licenseId) => {
        const answer = await api.GET('/v1/licenses/{licenseId}', { params: { path: { licenseId } } });
        // A license the account may no longer see keeps its id: still better than nothing.
        return [licenseId, answer.data ? licenseLabel(answer.data.license) : `license ${short(licenseId)}`] as const;
      }),
    ).then((found) => current && setFetchedLicenses((known) => new Map([...known, ...found])));
    return () => {
      current = false;
    };
    // Looked up again only when the list of unknown licenses changes.
  }, [unknownLicenses.join(',')]);

  useEffect(() => {
    if (licensesOfUnknownInstallations.length === 0) return;
    let current = true;
    void Promise.all(
      licensesOfUnknownInstallations.map(async (licenseId) => {
        const answer = await api.GET('/v1/licenses/{licenseId}/installations', { params: { path: { licenseId }, query: { limit: 100 } } }).then(unwrap, () => ({ items: [] }));
        return [[`license:${licenseId}`, ''] as const, ...answer.items.map((item) => [item.installation.id, item.installation.hostname] as const)];
      }),
    ).then((found) => current && setFetchedInstallations((known) => new Map([...known, ...found.flat()])));
    return () => {
      current = false;
    };
  }, [licensesOfUnknownInstallations.join(',')]);

  return useMemo(() => {
    const accounts = new Map<string, string>([
      ...(me?.memberships ?? []).map((item) => [item.account.id, item.account.name] as const),
      ...(customers.data ?? []).map((account) => [account.id, account.name] as const),
    ]);
    const installation = (id: string) => fromEvents.installations.get(id) ?? (fetchedInstallations.get(id) || `installation ${short(id)}`);
    return {
      license: (id) => fromEvents.licenses.get(id) ?? fetchedLicenses.get(id) ?? `license ${short(id)}`,
      installation,
      // Only its resellers act on a customer's licenses: to a customer, an account it does not know is one of them.
      customer: (id) => accounts.get(id) ?? (membership?.account.kind === 'customer' ? 'your reseller' : short(id)),
      actor(event) {
        const { actor } = event;
        switch (actor.kind) {
          case 'person':
            if (actor.id === me?.person.id) return `${actor.name ?? me.person.email ?? 'you'} (you)`;
            return actor.name ?? `a person of ${accounts.get(text(event.data?.accountId) ?? '') ?? membership?.account.name ?? 'the account'}`;
          case 'reseller':
          case 'customer':
            return actor.name ?? accounts.get(actor.id) ?? (actor.kind === 'reseller' && membership?.account.kind === 'customer' ? 'your reseller' : `${actor.kind} ${short(actor.id)}`);
          case 'installation':
            return actor.name ?? installation(actor.id);
          case 'ops':
            return 'the vendor (ops)';
          case 'system':
            return 'automatic';
          case 'anonymous':
            return 'anyone (registration)';
        }
        return actor.name ?? short(actor.id);
      },
    };
  }, [me, membership, customers.data, fromEvents, fetchedLicenses, fetchedInstallations]);
}
