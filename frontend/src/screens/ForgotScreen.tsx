import { Screen } from '../components/Screen';
import { useAutoFocus } from '../hooks';
import { useT } from '../i18n';

/**
 * ForgotScreen stands in for the password and 2FA reset (§1.3), which comes in
 * a later release; it tells the user so instead of a dead link.
 */
export function ForgotScreen({ onBack }: { onBack: () => void }) {
  const t = useT();
  const back = useAutoFocus<HTMLButtonElement>();
  return (
    <Screen title={t.forgotHeading}>
      <p>{t.forgotBody}</p>
      <div class="actions">
        <button type="button" class="button" ref={back} onClick={onBack}>
          {t.backToLogin}
        </button>
      </div>
    </Screen>
  );
}
