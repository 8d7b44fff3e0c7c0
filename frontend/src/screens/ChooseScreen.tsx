import { useState } from 'preact/hooks';
import type { Flow, Method } from '../api/types';
import { Screen } from '../components/Screen';
import { useAutoFocus } from '../hooks';
import { useT, type Catalogue } from '../i18n';

interface Props {
  flow: Flow;
  onChoose: (m: Method) => void;
}

function methodLabel(m: Method, t: Catalogue): string {
  switch (m) {
    case 'totp':
      return t.methodTotp;
    case 'email':
      return t.methodEmail;
    case 'webauthn':
      return t.methodWebauthn;
  }
}

/**
 * ChooseScreen lets the user pick how to get a verification code (§1.2 ②),
 * from exactly the methods the server offers for this account.
 */
export function ChooseScreen({ flow, onChoose }: Props) {
  const t = useT();
  const [method, setMethod] = useState<Method | undefined>(flow.methods[0]);
  const first = useAutoFocus<HTMLInputElement>();

  function submit(e: Event) {
    e.preventDefault();
    if (method) onChoose(method);
  }

  return (
    <Screen title={t.mfaHeading}>
      <form method="post" onSubmit={submit}>
        <fieldset class="choices">
          <legend>{t.chooseLegend}</legend>
          {flow.methods.map((m, i) => (
            <label class="choice" key={m}>
              <input
                type="radio"
                name="method"
                value={m}
                checked={m === method}
                ref={i === 0 ? first : undefined}
                onChange={() => setMethod(m)}
              />
              <span>
                {methodLabel(m, t)}
                {m === 'email' && flow.email_hint && <span class="email-hint">{flow.email_hint}</span>}
              </span>
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit" class="button button-primary">
            {t.continueButton}
          </button>
        </div>
      </form>
    </Screen>
  );
}
