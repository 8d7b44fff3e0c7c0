import { useState } from 'preact/hooks';
import { groupSecret } from '../code';
import { useWasm } from '../hooks';
import { useT } from '../i18n';

/**
 * SecretBox shows the TOTP secret in groups of four for typing by hand, with
 * a copy button. The copied text has no spaces: every app accepts that.
 */
export function SecretBox({ secret }: { secret: string }) {
  const t = useT();
  const wasm = useWasm();
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(secret);
      setCopyState('copied');
    } catch {
      // No clipboard permission or an insecure context: say so, the text stays selectable.
      setCopyState('failed');
    }
  }

  return (
    <div class="secret">
      <p id="secret-label">{t.secretLabel}</p>
      <div class="secret-row">
        <code class="secret-value" aria-labelledby="secret-label" data-testid="secret">
          {groupSecret(secret, wasm)}
        </code>
        <button type="button" class="button button-small" onClick={copy}>
          {t.copy}
        </button>
      </div>
      <p class="notice" role="status">
        {copyState === 'copied' ? t.copied : copyState === 'failed' ? t.copyFailed : ''}
      </p>
    </div>
  );
}
