// Language selection: Japanese by default, English when the browser prefers it
// or the user chose it with the toggle (remembered in localStorage).
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { en } from './en';
import { ja, type Catalogue } from './ja';

export type { Catalogue } from './ja';
export type Lang = 'ja' | 'en';

export const catalogues: Record<Lang, Catalogue> = { ja, en };

const storageKey = 'kanmon.lang';

/**
 * detectLang picks the language: the user's earlier choice, else the first of
 * the browser's languages that we have, else Japanese (the city's language).
 */
export function detectLang(stored: string | null, preferred: readonly string[]): Lang {
  if (stored === 'ja' || stored === 'en') return stored;
  for (const tag of preferred) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'ja' || primary === 'en') return primary;
  }
  return 'ja';
}

export function initialLang(): Lang {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem(storageKey);
  } catch {
    // Storage can be disabled (privacy mode); the browser's languages still work.
  }
  return detectLang(stored, navigator.languages ?? [navigator.language]);
}

export function rememberLang(lang: Lang): void {
  try {
    localStorage.setItem(storageKey, lang);
  } catch {
    // Not remembered across visits, but the switch itself still works.
  }
  document.documentElement.lang = lang;
}

export const I18n = createContext<Catalogue>(ja);

/** useT returns the messages of the current language. */
export function useT(): Catalogue {
  return useContext(I18n);
}
