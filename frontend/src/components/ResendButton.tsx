import { api } from '../api/client';
import type { Flow, Problem } from '../api/types';
import { useNow, useRequest } from '../hooks';
import { useT } from '../i18n';
import { formatCountdown, secondsUntil } from '../time';
import { ErrorAlert, Notice } from './ErrorAlert';
import { useState } from 'preact/hooks';

interface Props {
  flow: Flow;
  onFlow: (f: Flow) => Promise<void>;
  onRestart: (p: Problem) => void;
}

/**
 * ResendButton asks for another e-mail code. It stays disabled, counting down,
 * until the flow's resend_after, which is when the server would accept it.
 */
export function ResendButton({ flow, onFlow, onRestart }: Props) {
  const t = useT();
  const resend = useRequest(onRestart);
  const [sent, setSent] = useState(false);
  const waiting = secondsUntil(flow.resend_after) > 0;
  const now = useNow(waiting);
  const left = secondsUntil(flow.resend_after, now);

  function click() {
    if (left > 0) return; // aria-disabled keeps the focus here, so ignore the press
    void resend.run(async () => {
      setSent(false);
      onFlow(await api.sendEmail({ lang: t.lang }));
      setSent(true);
    });
  }

  return (
    <div class="resend">
      <ErrorAlert problem={resend.problem} />
      <button type="button" class="button" aria-disabled={left > 0 || resend.busy} onClick={click}>
        {left > 0 ? t.resendIn(formatCountdown(left)) : t.resendButton}
      </button>
      <Notice text={sent ? t.emailSent : undefined} />
    </div>
  );
}
