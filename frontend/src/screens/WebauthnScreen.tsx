import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Flow, Problem } from '../api/types';
import { Checkbox } from '../components/Checkbox';
import { ErrorAlert } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { SubmitButton } from '../components/SubmitButton';
import { useAutoFocus, useRequest } from '../hooks';
import { useT } from '../i18n';
import { ceremony } from '../webauthn';

interface Props {
  onFlow: (f: Flow) => Promise<void>;
  onRestart: (p: Problem) => void;
  onOtherMethod?: () => void;
}

/**
 * WebauthnScreen is the biometrics / FIDO2 step of §1.2 ⑥: the server's
 * challenge goes to the authenticator through the WASM helper, and the
 * signed answer back to the server.
 */
export function WebauthnScreen({ onFlow, onRestart, onOtherMethod }: Props) {
  const t = useT();
  const request = useRequest(onRestart);
  const [trustBrowser, setTrustBrowser] = useState(false);
  const first = useAutoFocus<HTMLButtonElement>();

  function submit(e: Event) {
    e.preventDefault();
    void request.run(async () => {
      const credential = await ceremony('getAssertion', await api.webauthnLoginBegin());
      await onFlow(await api.webauthnLoginFinish({ credential, trust_browser: trustBrowser }));
    });
  }

  return (
    <Screen title={t.mfaHeading}>
      <ErrorAlert problem={request.problem} />
      <p>{t.webauthnIntro}</p>
      <form method="post" onSubmit={submit} aria-busy={request.busy}>
        <div class="checks">
          <Checkbox name="trust_browser" label={t.trustBrowser} checked={trustBrowser} onChange={setTrustBrowser} />
        </div>
        <div class="actions">
          <SubmitButton busy={request.busy} buttonRef={first}>
            {t.webauthnButton}
          </SubmitButton>
        </div>
      </form>
      {onOtherMethod && (
        <div class="secondary-actions">
          <button type="button" class="button button-link" onClick={onOtherMethod}>
            {t.otherMethod}
          </button>
        </div>
      )}
    </Screen>
  );
}
