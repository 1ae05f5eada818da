import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { License, Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { useSession } from '../auth/session';
import { CustomerSelect } from '../components/customer-select';
import { baseLicenseTypeOf, describeLicense, licenseTypeWords, productChoices, productName, productOf, products } from '../components/license-words';
import { ShownOnce } from '../components/secret';
import { SelectField } from '../components/select-field';
import { ErrorMessage, Field, PageTitle } from '../components/ui';
import { useCustomers } from '../components/use-customers';
import { useAction, useLoad } from '../components/use-load';
import { fetchAllPages } from '../lists/pages';

type LicenseType = Schemas['LicenseType'];

/** What the API may refuse in the form, in words. */
const issueFields = {
  customerId: 'Choose the customer.',
  quantity: 'Enter a whole number from 1 to 1,000,000.',
  maxActivations: 'Enter how many servers may hold it: a whole number from 1 to 1,000,000.',
  expiresAt: 'Enter a date in the future, or leave it empty.',
  edition: 'Choose an edition.',
};

const quantityLabels: Partial<Record<LicenseType, string>> = { users: 'Users', support: 'Support seats', server: 'Concurrent users', site: 'Sites', engine: 'Engines' };

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Whether the customer already holds what takes the product out of limited mode: an active license of the
 * product's base type (a Secret Vault edition). Without one, another kind of license leaves its servers limited.
 */
function useMissingBaseLicense(customerId: string, productId: string, type: LicenseType): boolean {
  const { membership } = useSession();
  const baseType = baseLicenseTypeOf(productId);
  const needsBase = Boolean(customerId && baseType && type !== baseType);
  const licenses = useLoad(
    async () =>
      needsBase
        ? fetchAllPages(async (cursor) => unwrap(await api.GET('/v1/licenses', { params: { query: { customerId, limit: 100, ...(cursor ? { cursor } : {}) } } })))
        : ([] as License[]),
    [membership?.account.id, customerId, needsBase],
  );
  if (!needsBase || !licenses.data) return false;
  return !licenses.data.some((license) => license.productId === productId && license.type === baseType && license.status === 'active');
}

function IssueForm({ initialCustomerId, onIssued }: { initialCustomerId: string; onIssued: (issued: Schemas['LicenseIssued']) => void }) {
  const customers = useCustomers();
  const [customerId, setCustomerId] = useState(initialCustomerId);
  const [productId, setProductId] = useState(products[0]?.id ?? '');
  const product = productOf(productId);
  const types = (product?.licenseTypes ?? []) as LicenseType[];
  const [type, setType] = useState<LicenseType>(types[0] ?? 'edition');
  const chosenType = types.includes(type) ? type : (types[0] ?? 'edition');
  const editions = Object.keys(product?.editions ?? {});
  const [edition, setEdition] = useState('');
  const chosenEdition = editions.includes(edition) ? edition : (editions[0] ?? '');
  const [quantity, setQuantity] = useState('1');
  const [maxActivations, setMaxActivations] = useState('1');
  const [expiresOn, setExpiresOn] = useState('');
  // One key per form: a double click, or a retry after a lost answer, issues one license.
  const idempotencyKey = useMemo(() => crypto.randomUUID(), []);
  const { pending, error, run } = useAction();
  const missingBase = useMissingBaseLicense(customerId, productId, chosenType);
  const baseType = baseLicenseTypeOf(productId);
  const customerName = customers.data?.find((account) => account.id === customerId)?.name ?? 'This customer';
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Schemas['IssueLicenseInput'] = {
      customerId,
      productId,
      type: chosenType,
      maxActivations: Number(maxActivations),
      ...(chosenType === 'edition' ? { edition: chosenEdition } : { quantity: Number(quantity) }),
      ...(expiresOn ? { expiresAt: new Date(`${expiresOn}T23:59:59Z`).toISOString() } : {}),
    };
    const answer = await run(async () => unwrap(await api.POST('/v1/licenses', { body, headers: { 'Idempotency-Key': idempotencyKey } })));
    if (answer) onIssued(answer);
  }

  return (
    <form onSubmit={submit}>
      <CustomerSelect value={customerId} placeholder="Choose the customer" required onChange={setCustomerId} />
      <SelectField label="Product" value={productId} choices={productChoices} onChange={setProductId} />
      <SelectField
        label="License type"
        value={chosenType}
        choices={types.map((item) => ({ value: item, label: licenseTypeWords[item].name }))}
        hint={`${licenseTypeWords[chosenType].explain}${chosenType === baseType ? ` A ${productName(productId)} server leaves limited mode only with one.` : ''}`}
        onChange={(value) => setType(value as LicenseType)}
      />
      {missingBase && baseType && (
        <p className="notice" role="status" data-testid="missing-base-license">
          {customerName} has no active {productName(productId)} {licenseTypeWords[baseType].name.toLowerCase()} license. A server with only this license stays in
          limited mode (not activated): issue the {licenseTypeWords[baseType].name.toLowerCase()} license too.
        </p>
      )}
      {chosenType === 'edition' ? (
        <SelectField label="Edition" value={chosenEdition} choices={editions.map((item) => ({ value: item, label: capitalized(item) }))} onChange={setEdition} />
      ) : (
        <Field label={quantityLabels[chosenType] ?? 'Quantity'}>
          {(props) => <input {...props} type="number" inputMode="numeric" min={1} max={1_000_000} step={1} required value={quantity} onChange={(event) => setQuantity(event.target.value)} />}
        </Field>
      )}
      <Field label="Activations allowed" hint="How many servers may hold this license at once.">
        {(props) => <input {...props} type="number" inputMode="numeric" min={1} max={1_000_000} step={1} required value={maxActivations} onChange={(event) => setMaxActivations(event.target.value)} />}
      </Field>
      <Field label="Expires on" hint="Leave empty for a license that never expires.">
        {(props) => <input {...props} type="date" min={tomorrow} value={expiresOn} onChange={(event) => setExpiresOn(event.target.value)} />}
      </Field>
      <ErrorMessage error={error} fields={issueFields} />
      <button className="primary" disabled={pending}>
        {pending ? 'Issuing…' : 'Issue the license'}
      </button>
    </form>
  );
}

/**
 * Issue a license to one of the reseller's customers. Once issued, the form gives way to the key, shown
 * this once with a copy button; another license takes a new form, so nothing is issued twice by accident.
 */
export function IssueLicensePage() {
  const [search] = useSearchParams();
  const [issued, setIssued] = useState<Schemas['LicenseIssued']>();
  const [round, setRound] = useState(0);
  // Another license is often for the same customer: the new form starts with it.
  const [customerId, setCustomerId] = useState(search.get('customerId') ?? '');
  return (
    <section className="narrow">
      <PageTitle title="Issue a license">Issue a license</PageTitle>
      {issued ? (
        <div data-testid="issued">
          <p role="status" className="success">
            Issued: {describeLicense(issued.license)}.
          </p>
          <ShownOnce label="The license key" value={issued.key} />
          <div className="actions">
            <Link to={`/licenses/${issued.license.id}`}>Open the license</Link>
            <button
              type="button"
              className="primary"
              onClick={() => {
                setIssued(undefined);
                setRound((value) => value + 1);
              }}
            >
              Issue another license
            </button>
          </div>
        </div>
      ) : (
        <IssueForm
          key={round}
          initialCustomerId={customerId}
          onIssued={(answer) => {
            setIssued(answer);
            setCustomerId(answer.license.customerId);
          }}
        />
      )}
    </section>
  );
}
