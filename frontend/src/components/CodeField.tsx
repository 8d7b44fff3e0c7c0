import type { Ref } from 'preact';
import { formatCode, readCode } from '../code';
import { useWasm } from '../hooks';
import { useT } from '../i18n';

interface Props {
  id: string;
  label: string;
  value: string;
  onValue: (v: string) => void;
  inputRef?: Ref<HTMLInputElement>;
}

/**
 * CodeField takes a 6-digit one-time code as a person types it: with a
 * Japanese IME that may be full-width digits, spaces or hyphens. A complete
 * code is shown tidied ("123 456"); characters that can never be part of a
 * code get a hint at once instead of a failed attempt at the server.
 */
export function CodeField({ id, label, value, onValue, inputRef }: Props) {
  const t = useT();
  const wasm = useWasm(); // re-render with the shared Go rules once loaded
  const { invalid } = readCode(value, wasm);
  const hintId = `${id}-hint`;

  function onInput(e: InputEvent & { currentTarget: HTMLInputElement }) {
    const raw = e.currentTarget.value;
    // Changing the text during IME composition would break the composition.
    const composing = e.isComposing;
    const code = readCode(raw, wasm);
    onValue(!composing && code.digits ? formatCode(code.digits, wasm) : raw);
  }

  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        name={id}
        class="code-input"
        type="text"
        inputMode="numeric"
        autocomplete="one-time-code"
        maxLength={20}
        required
        value={value}
        ref={inputRef}
        aria-invalid={invalid}
        aria-describedby={hintId}
        onInput={onInput}
      />
      <p id={hintId} class={invalid ? 'field-hint field-hint-error' : 'field-hint'}>
        {invalid ? t.codeInvalidChars : t.codeHint}
      </p>
    </div>
  );
}
