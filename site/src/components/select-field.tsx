import { Field } from './ui';

export interface Choice {
  readonly value: string;
  readonly label: string;
}

/**
 * A labelled select of `choices`; `placeholder` is the empty choice first in the list ("All customers",
 * "Choose the customer").
 */
export function SelectField({
  label,
  hint,
  value,
  choices,
  placeholder,
  required,
  disabled,
  onChange,
}: {
  label: string;
  hint?: string;
  value: string;
  choices: readonly Choice[];
  placeholder?: string;
  required?: boolean;
  disabled?: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <Field label={label} {...(hint ? { hint } : {})}>
      {(props) => (
        <select {...props} value={value} required={required} disabled={disabled} onChange={(event) => onChange(event.target.value)}>
          {placeholder !== undefined && <option value="">{placeholder}</option>}
          {choices.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}
