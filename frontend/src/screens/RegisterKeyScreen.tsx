import { useState } from 'preact/hooks';
import { api } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { SubmitButton } from '../components/SubmitButton';
import { TextField } from '../components/TextField';
import { useAutoFocus, useRequest } from '../hooks';
import { useT } from '../i18n';
import { ceremony } from '../webauthn';

/**
 * RegisterKeyScreen follows a login when the user ticked 「モバイル: 生体認証
 * またはFIDO2セキュリティキーを設定」 before (§1.2 ⑤): register a key now, or
 * not now. Either way the user goes on to the signed-in page.
 */
export function RegisterKeyScreen({ onDone }: { onDone: (registered: boolean) => Promise<void> }) {
  const t = useT();
  const [name, setName] = useState('');
  const register = useRequest();
  const decline = useRequest();
  const first = useAutoFocus<HTMLInputElement>();

  function submit(e: Event) {
    e.preventDefault();
    void register.run(async () => {
      const credential = await ceremony('createCredential', await api.webauthnRegisterBegin());
      await api.webauthnRegisterFinish({ credential, name: name.trim() || undefined });
      await onDone(true);
    });
  }

  function later() {
    void decline.run(async () => {
      await api.webauthnRegisterDecline();
      await onDone(false);
    });
  }

  const busy = register.busy || decline.busy;
  return (
    <Screen title={t.registerHeading}>
      <ErrorAlert problem={register.problem ?? decline.problem} />
      <p>{t.registerIntro}</p>
      <form method="post" onSubmit={submit} aria-busy={busy}>
        <TextField id="key-name" label={t.registerName} autocomplete="off" required={false} value={name} onValue={setName} inputRef={first} />
        <div class="actions">
          <button type="button" class="button" disabled={busy} onClick={later}>
            {t.registerLater}
          </button>
          <SubmitButton busy={register.busy}>{t.registerButton}</SubmitButton>
        </div>
      </form>
    </Screen>
  );
}
