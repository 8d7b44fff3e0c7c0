import { localProblem } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';
import { Screen } from '../components/Screen';
import { useAutoFocus, useRequest } from '../hooks';
import { useT } from '../i18n';

/**
 * WebauthnScreen is the biometrics / FIDO2 step of §1.2 ⑥. The ceremony
 * endpoints are not in the API yet, so pressing the button says so and offers
 * the other methods; the screen exists so the choice list matches the manual.
 */
export function WebauthnScreen({ onOtherMethod }: { onOtherMethod?: () => void }) {
  const t = useT();
  const request = useRequest();
  const first = useAutoFocus<HTMLButtonElement>();
  return (
    <Screen title={t.mfaHeading}>
      <ErrorAlert problem={request.problem} />
      <div class="actions">
        <button
          type="button"
          class="button button-primary"
          ref={first}
          onClick={() => request.setProblem(localProblem('webauthn_unavailable'))}
        >
          {t.webauthnButton}
        </button>
      </div>
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
