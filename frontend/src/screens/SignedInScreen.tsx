import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Session } from '../api/types';
import { ErrorAlert, Notice } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { SubmitButton } from '../components/SubmitButton';
import { useRequest } from '../hooks';
import { useT } from '../i18n';
import { formatDateTime } from '../time';

interface Props {
  session: Session;
  /** Good news to show on arrival, e.g. a key just registered. */
  notice?: string;
  onLoggedOut: () => void;
}

/** SignedInScreen says who is logged in, with which factors and until when. */
export function SignedInScreen({ session, notice, onLoggedOut }: Props) {
  const t = useT();
  const logout = useRequest();
  const forget = useRequest();
  const [forgotten, setForgotten] = useState(false);
  // Only a login that skipped the second factor proves this browser is trusted
  // (the trust cookie is HttpOnly); then offer to end that on a shared PC.
  const trusted = session.factors.includes('trusted_browser') && !forgotten;
  const factors = session.factors.map((f) => t.factorNames[f] ?? f).join(t.listSeparator);
  const when = (iso: string) => formatDateTime(iso, t.lang);

  function submit(e: Event) {
    e.preventDefault();
    void logout.run(async () => {
      await api.logout();
      onLoggedOut();
    });
  }

  return (
    <Screen title={t.signedInHeading} focusTitle>
      <ErrorAlert problem={logout.problem ?? forget.problem} />
      <Notice text={forgotten ? t.browserForgotten : notice} />
      <dl class="facts">
        <dt>{t.signedInUser}</dt>
        <dd data-testid="username">{session.user.username}</dd>
        {session.user.email && (
          <>
            <dt>{t.signedInEmail}</dt>
            <dd>{session.user.email}</dd>
          </>
        )}
        <dt>{t.signedInFactors}</dt>
        <dd data-testid="factors">{factors}</dd>
        <dt>{t.signedInAt}</dt>
        <dd>{when(session.authenticated_at)}</dd>
        <dt>{t.signedInExpires}</dt>
        <dd>{when(session.expires_at)}</dd>
        <dt>{t.signedInIdle}</dt>
        <dd>{when(session.idle_expires_at)}</dd>
      </dl>
      <form method="post" onSubmit={submit} aria-busy={logout.busy}>
        <div class="actions">
          <SubmitButton busy={logout.busy}>{t.logoutButton}</SubmitButton>
        </div>
      </form>
      {trusted && (
        <div class="secondary-actions">
          <button
            type="button"
            class="button button-link"
            disabled={forget.busy}
            onClick={() =>
              void forget.run(async () => {
                await api.forgetBrowser();
                setForgotten(true);
              })
            }
          >
            {t.forgetBrowser}
          </button>
        </div>
      )}
    </Screen>
  );
}
