import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { localProblem } from '../api/client';
import { readCode } from '../code';
import type { useRequest } from '../hooks';
import { CodeField } from './CodeField';
import { SubmitButton } from './SubmitButton';

interface Props {
  id: string;
  label: string;
  button: string;
  request: ReturnType<typeof useRequest>;
  /** Called with exactly six ASCII digits, whatever the user typed. */
  onCode: (digits: string) => Promise<void>;
  /** Extra fields between the code and the button (the check boxes). */
  children?: ComponentChildren;
}

/**
 * CodeForm is the one-time-code form of the setup and verify steps. An
 * incomplete code is caught here, so it does not cost one of the few attempts
 * the server allows.
 */
export function CodeForm({ id, label, button, request, onCode, children }: Props) {
  const [code, setCode] = useState('');
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    // Without scrolling: on a phone the instructions above stay in view.
    ref.current?.focus({ preventScroll: true });
  }, []);

  function submit(e: Event) {
    e.preventDefault();
    const { digits } = readCode(code);
    if (!digits) return request.setProblem(localProblem('code_incomplete'));
    void request.run(() => onCode(digits));
  }

  return (
    <form method="post" onSubmit={submit} aria-busy={request.busy}>
      <CodeField id={id} label={label} value={code} onValue={setCode} inputRef={ref} />
      {children}
      <div class="actions">
        <SubmitButton busy={request.busy}>{button}</SubmitButton>
      </div>
    </form>
  );
}
