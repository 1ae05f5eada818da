import type { Table } from '../platform/dynamodb.js';
import { problem } from '@license-activation/contract/problem';
import type { Association, AssociationInput, AuditEvent } from '@license-activation/contract/schemas';
import { getAccount } from '../data/accounts.js';
import { retry, retryOnContention } from '../data/contention.js';
import { addAssociation, removeAssociation } from '../data/associations.js';
import { newId } from '../ids.js';
import type { Actor } from '../auth/principal.js';

function associationEvent(type: 'association.added' | 'association.removed', input: AssociationInput, actor: Actor, now: Date): AuditEvent {
  return {
    id: newId('evt', now),
    type,
    createdAt: now.toISOString(),
    actor,
    customerId: input.customerId,
    data: { resellerId: input.resellerId },
  };
}

/**
 * `POST /v1/admin/associations`: ops let a reseller manage an existing customer. Repeating it answers
 * the existing association (`created: false`) rather than failing, so retries are safe.
 */
export async function associateCustomer(
  deps: { table: Table },
  input: AssociationInput,
  actor: Actor,
  now: Date,
): Promise<{ association: Association; created: boolean }> {
  const customer = await getAccount(deps.table, input.customerId);
  if (customer?.kind !== 'customer') throw problem('NOT_FOUND', `no customer ${input.customerId}`);
  const createdAt = now.toISOString();
  const event = associationEvent('association.added', input, actor, now);
  const outcome = await retryOnContention(async () => {
    const attempt = await addAssociation(deps.table, { resellerId: input.resellerId, customer, createdAt, event });
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'reseller-missing') throw problem('NOT_FOUND', `no reseller ${input.resellerId}`);
  if (!outcome.added) return { association: outcome.existing, created: false };
  return { association: { ...input, createdAt }, created: true };
}

/** `DELETE /v1/admin/associations/{resellerId}/{customerId}`: the reseller loses access at once. */
export async function dissociateCustomer(deps: { table: Table }, input: AssociationInput, actor: Actor, now: Date): Promise<void> {
  const event = associationEvent('association.removed', input, actor, now);
  const outcome = await retryOnContention(async () => {
    const attempt = await removeAssociation(deps.table, { ...input, event });
    return attempt === 'contention' ? retry : attempt;
  });
  if (outcome === 'missing') throw problem('NOT_FOUND', `reseller ${input.resellerId} does not manage customer ${input.customerId}`);
}
