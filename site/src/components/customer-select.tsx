import { SelectField } from './select-field';
import { ErrorMessage } from './ui';
import { useCustomers } from './use-customers';

/**
 * The customer a form or a filter is about, from every customer the acting reseller manages.
 * `placeholder` is the empty choice: "All customers" for a filter, "Choose the customer" for a form.
 */
export function CustomerSelect({
  value,
  placeholder,
  required,
  hint,
  onChange,
}: {
  value: string;
  placeholder?: string;
  required?: boolean;
  hint?: string;
  onChange: (customerId: string) => void;
}) {
  const customers = useCustomers();
  const choices = (customers.data ?? []).map((account) => ({ value: account.id, label: account.name }));
  return (
    <>
      <SelectField
        label="Customer"
        value={value}
        choices={choices}
        required={required}
        onChange={onChange}
        {...(placeholder !== undefined ? { placeholder } : {})}
        {...(hint ? { hint } : customers.loading && !customers.data ? { hint: 'Loading your customers…' } : {})}
      />
      <ErrorMessage error={customers.error} />
    </>
  );
}
