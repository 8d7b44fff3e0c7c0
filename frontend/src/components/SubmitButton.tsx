import type { ComponentChildren, Ref } from 'preact';
import { useT } from '../i18n';

/**
 * SubmitButton is the primary action of a form. While a request runs it is
 * disabled and shows a spinner, so a second press cannot send twice.
 */
export function SubmitButton({ busy, buttonRef, children }: { busy: boolean; buttonRef?: Ref<HTMLButtonElement>; children: ComponentChildren }) {
  const t = useT();
  return (
    <button type="submit" class="button button-primary" disabled={busy} ref={buttonRef}>
      {busy && <span class="spinner" aria-hidden="true" />}
      <span>{children}</span>
      {busy && <span class="visually-hidden"> {t.busy}</span>}
    </button>
  );
}
