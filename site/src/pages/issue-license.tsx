import { useMemo, useState } from 'react';
import type { FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import type { Schemas } from '../api/client';
import { unwrap } from '../api/problem';
import { ShownOnce } from '../components/secret';
import { CustomerSelect } from '../components/customer-select';
import { describeLicense, productChoices, products } from '../components/license-words';
import { SelectField } from '../components/select-field';
import { ErrorMessage, Field, PageTitle } from '../components/ui';
import { useAction } from '../components/use-load';

type LicenseType = Schemas['LicenseType'];

/** Issue a license to one of the reseller's customers; the key is shown once. */
export function IssueLicensePage() {
  const [search] = useSearchParams();
  const [customerId, setCustomerId] = useState(search.get('customerId') ?? '');
  const [productId, setProductId] = useState(products[0]?.id ?? '');
  const product = products.find((item) => item.id === productId);
  const types = (product?.licenseTypes ?? []) as LicenseType[];
  const [type, setType] = useState<LicenseType>(types[0] ?? 'edition');
  const editions = Object.keys(product?.editions ?? {});
  const [edition, setEdition] = useState('');
  const [quantity, setQuantity] = useState('1');
  const [maxActivations, setMaxActivations] = useState('1');
  const [expiresOn, setExpiresOn] = useState('');
  const [issued, setIssued] = useState<Schemas['LicenseIssued']>();
  // One key per filled-in form: a double click, or a retry after a lost answer, issues one license.
  const [formRound, setFormRound] = useState(0);
  const idempotencyKey = useMemo(() => crypto.randomUUID(), [formRound]);
  const { pending, error, run } = useAction();
  const chosenType = types.includes(type) ? type : (types[0] ?? 'edition');

  async function submit(event: FormEvent) {
    event.preventDefault();
    const body: Schemas['IssueLicenseInput'] = {
      customerId,
      productId,
      type: chosenType,
      maxActivations: Number(maxActivations),
      ...(chosenType === 'edition' ? { edition: edition || editions[0] } : { quantity: Number(quantity) }),
      ...(expiresOn ? { expiresAt: new Date(`${expiresOn}T23:59:59Z`).toISOString() } : {}),
    };
    const answer = await run(async () => unwrap(await api.POST('/v1/licenses', { body, headers: { 'Idempotency-Key': idempotencyKey } })));
    if (answer) {
      setIssued(answer);
      setFormRound((round) => round + 1);
    }
  }
  return (
    <section className="narrow">
      <PageTitle title="Issue a license">Issue a license</PageTitle>
      {issued && (
        <>
          <ShownOnce label={`Key of ${describeLicense(issued.license)}`} value={issued.key} />
          <p>
            <Link to={`/licenses/${issued.license.id}`}>Open the license</Link>
          </p>
        </>
      )}
      <form onSubmit={submit}>
        <CustomerSelect value={customerId} placeholder="Choose the customer" required onChange={setCustomerId} />
        <SelectField label="Product" value={productId} choices={productChoices} onChange={setProductId} />
        <SelectField label="License type" value={chosenType} choices={types.map((item) => ({ value: item, label: item }))} onChange={(value) => setType(value as LicenseType)} />
        {chosenType === 'edition' ? (
          <SelectField label="Edition" value={edition || (editions[0] ?? '')} choices={editions.map((item) => ({ value: item, label: item }))} onChange={setEdition} />
        ) : (
          <Field label={chosenType === 'server' ? 'Concurrent users' : 'Quantity'}>
            {(props) => <input {...props} type="number" min={1} required value={quantity} onChange={(event) => setQuantity(event.target.value)} />}
          </Field>
        )}
        <Field label="Activations allowed" hint="How many servers may hold this license at once.">
          {(props) => <input {...props} type="number" min={1} max={1_000_000} required value={maxActivations} onChange={(event) => setMaxActivations(event.target.value)} />}
        </Field>
        <Field label="Expires on" hint="Leave empty for a license that never expires.">
          {(props) => <input {...props} type="date" value={expiresOn} onChange={(event) => setExpiresOn(event.target.value)} />}
        </Field>
        <ErrorMessage error={error} />
        <button className="primary" disabled={pending}>
          {pending ? 'Issuing…' : 'Issue the license'}
        </button>
      </form>
    </section>
  );
}
