import type { Ref } from 'preact';

interface Props {
  id: string;
  label: string;
  type?: 'text' | 'password';
  autocomplete: string;
  required?: boolean;
  value: string;
  onValue: (v: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}

/** TextField is a labelled single-line input. */
export function TextField({ id, label, type = 'text', autocomplete, required = true, value, onValue, inputRef }: Props) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        // Preact's JSX types split password inputs from text ones; both fit here.
        type={type as 'text'}
        autocomplete={autocomplete}
        autocapitalize="none"
        spellcheck={false}
        required={required}
        value={value}
        ref={inputRef}
        onInput={(e) => onValue(e.currentTarget.value)}
      />
    </div>
  );
}
