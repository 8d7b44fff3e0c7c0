import type { Lang } from '../i18n';
import { useT } from '../i18n';

const names: Record<Lang, string> = { ja: '日本語', en: 'English' };

/**
 * LanguageToggle switches between Japanese and English. Each button names its
 * language in that language, so a reader of either can find it.
 */
export function LanguageToggle({ lang, onChange }: { lang: Lang; onChange: (l: Lang) => void }) {
  const t = useT();
  return (
    <div class="lang-toggle" role="group" aria-label={t.languageLabel}>
      {(Object.keys(names) as Lang[]).map((l) => (
        <button
          type="button"
          key={l}
          lang={l}
          class="lang-button"
          aria-pressed={l === lang}
          onClick={() => onChange(l)}
        >
          {names[l]}
        </button>
      ))}
    </div>
  );
}
