import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Flow, Problem } from '../api/types';
import { Checkbox } from '../components/Checkbox';
import { CodeForm } from '../components/CodeForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { ResendButton } from '../components/ResendButton';
import { Screen } from '../components/Screen';
import { useRequest } from '../hooks';
import { useT } from '../i18n';

interface Props {
  flow: Flow;
  method: 'totp' | 'email';
  onFlow: (f: Flow) => Promise<void>;
  onRestart: (p: Problem) => void;
  /** Back to the method choice; absent when there is nothing else to choose. */
  onOtherMethod?: () => void;
}

/**
 * CodeScreen is the 『検証』 step for a code from the authenticator app or from
 * an e-mail (§1.2 ③④), with the two check boxes of §1.2 ⑤.
 */
export function CodeScreen({ flow, method, onFlow, onRestart, onOtherMethod }: Props) {
  const t = useT();
  const verify = useRequest(onRestart);
  const [trustBrowser, setTrustBrowser] = useState(false);
  const [setupWebauthn, setSetupWebauthn] = useState(false);

  async function send(code: string) {
    onFlow(await api.verify({ method, code, trust_browser: trustBrowser, setup_webauthn: setupWebauthn }));
  }

  return (
    <Screen title={t.mfaHeading}>
      <ErrorAlert problem={verify.problem} />
      <p>{method === 'email' ? t.codeIntroEmail(flow.email_hint ?? '') : t.codeIntroTotp}</p>
      <CodeForm id="verify-code" label={t.codeLabel} button={t.verifyButton} request={verify} onCode={send}>
        <div class="checks">
          <Checkbox name="trust_browser" label={t.trustBrowser} checked={trustBrowser} onChange={setTrustBrowser} />
          <Checkbox name="setup_webauthn" label={t.setupWebauthn} checked={setupWebauthn} onChange={setSetupWebauthn} />
        </div>
      </CodeForm>
      {(method === 'email' || onOtherMethod) && (
        <div class="secondary-actions">
          {method === 'email' && <ResendButton flow={flow} onFlow={onFlow} onRestart={onRestart} />}
          {onOtherMethod && (
            <button type="button" class="button button-link" onClick={onOtherMethod}>
              {t.otherMethod}
            </button>
          )}
        </div>
      )}
    </Screen>
  );
}
