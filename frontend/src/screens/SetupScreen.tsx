import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Flow, Problem, TotpSetup } from '../api/types';
import { CodeForm } from '../components/CodeForm';
import { ErrorAlert } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { SecretBox } from '../components/SecretBox';
import { useRequest } from '../hooks';
import { useT } from '../i18n';

interface Props {
  onFlow: (f: Flow) => Promise<void>;
  onRestart: (p: Problem) => void;
}

/**
 * SetupScreen is マルチファクター認証の設定 (§1.1): the first login pairs an
 * authenticator app by QR code or typed secret, then logs in with its code.
 */
export function SetupScreen({ onFlow, onRestart }: Props) {
  const t = useT();
  const [setup, setSetup] = useState<TotpSetup | undefined>();
  const load = useRequest(onRestart);
  const activate = useRequest(onRestart);

  // The server returns the same secret on every call, so a retry is harmless.
  const fetchSetup = () => void load.run(async () => setSetup(await api.totpSetup()));
  useEffect(fetchSetup, []);

  return (
    <Screen title={t.setupHeading}>
      <ErrorAlert problem={load.problem ?? activate.problem} />
      <p>{t.setupIntro}</p>
      {load.busy && <p class="loading">{t.loading}</p>}
      {load.problem && (
        <div class="actions">
          <button type="button" class="button" onClick={fetchSetup}>
            {t.retry}
          </button>
        </div>
      )}
      {setup && (
        <div class="pairing">
          <figure class="qr">
            <img src={setup.qr_code} alt={t.qrAlt} width={200} height={200} />
            <figcaption>{t.accountLine(setup.issuer, setup.account)}</figcaption>
          </figure>
          <SecretBox secret={setup.secret} />
        </div>
      )}
      <section class="info" aria-labelledby="apps-heading">
        <h2 id="apps-heading">{t.appsHeading}</h2>
        <ul>
          <li>{t.appsMobile}</li>
          <li>{t.appsPc}</li>
        </ul>
      </section>
      <section class="warning" aria-labelledby="warning-heading">
        <h2 id="warning-heading">{t.warningHeading}</h2>
        <p>{t.warningBody}</p>
      </section>
      {setup && (
        <CodeForm
          id="setup-code"
          label={t.setupCodeLabel}
          button={t.pairButton}
          request={activate}
          onCode={async (code) => onFlow(await api.totpActivate(code))}
        />
      )}
    </Screen>
  );
}
