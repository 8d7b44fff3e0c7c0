import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { Flow, Problem } from '../api/types';
import { ErrorAlert, Notice } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { SubmitButton } from '../components/SubmitButton';
import { TextField } from '../components/TextField';
import { useAutoFocus, useRequest } from '../hooks';
import { useT } from '../i18n';

interface Props {
  onFlow: (f: Flow) => Promise<void>;
  onForgot: () => void;
  /** Why the user is back here: the login flow ended with this problem. */
  reason?: Problem;
  /** The user has just logged out. */
  loggedOut?: boolean;
}

/** LoginScreen is the manual's ログイン screen: user name and password. */
export function LoginScreen({ onFlow, onForgot, reason, loggedOut }: Props) {
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, problem, run } = useRequest();
  const first = useAutoFocus<HTMLInputElement>(!reason);

  function submit(e: Event) {
    e.preventDefault();
    void run(async () => onFlow(await api.login({ username, password })));
  }

  function forgot(e: MouseEvent) {
    // A plain link for middle-click and no-JS reading; in-app navigation otherwise.
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    onForgot();
  }

  return (
    <Screen title={t.loginHeading}>
      <ErrorAlert problem={problem ?? reason} />
      <Notice text={loggedOut ? t.loggedOut : undefined} />
      <form method="post" onSubmit={submit} aria-busy={busy}>
        <TextField id="username" label={t.username} autocomplete="username" value={username} onValue={setUsername} inputRef={first} />
        <TextField id="password" label={t.password} type="password" autocomplete="current-password" value={password} onValue={setPassword} />
        <div class="actions actions-split">
          <a href="/password/forgot" class="link" onClick={forgot}>
            {t.forgotLink}
          </a>
          <SubmitButton busy={busy}>{t.loginButton}</SubmitButton>
        </div>
      </form>
    </Screen>
  );
}
