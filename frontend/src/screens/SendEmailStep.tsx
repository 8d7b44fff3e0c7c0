import { useEffect } from 'preact/hooks';
import { api } from '../api/client';
import type { Flow, Problem } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { useRequest } from '../hooks';
import { useT } from '../i18n';

interface Props {
  onFlow: (f: Flow) => Promise<void>;
  onRestart: (p: Problem) => void;
  onBack?: () => void;
}

/**
 * SendEmailStep asks the server to mail a code once the user chose e-mail;
 * the answer (state email_sent) moves the app on to the code screen.
 */
export function SendEmailStep({ onFlow, onRestart, onBack }: Props) {
  const t = useT();
  const send = useRequest(onRestart);
  const start = () => void send.run(async () => onFlow(await api.sendEmail({ lang: t.lang })));
  useEffect(start, []);

  return (
    <Screen title={t.mfaHeading}>
      <ErrorAlert problem={send.problem} />
      {send.busy && <p class="loading">{t.loading}</p>}
      {send.problem && (
        <div class="actions">
          {onBack && (
            <button type="button" class="button" onClick={onBack}>
              {t.otherMethod}
            </button>
          )}
          <button type="button" class="button button-primary" onClick={start}>
            {t.resendButton}
          </button>
        </div>
      )}
    </Screen>
  );
}
