import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { useT } from '../i18n';

interface Props {
  title: string;
  /** Focus the heading on arrival: for steps that have no field to start in. */
  focusTitle?: boolean;
  children: ComponentChildren;
}

/**
 * Screen is the card every step is shown in. Its title is also the page's
 * title, so the browser tab and screen readers say which step this is.
 */
export function Screen({ title, focusTitle, children }: Props) {
  const t = useT();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} | ${t.systemName}`;
  }, [title, t]);
  useEffect(() => {
    if (focusTitle) heading.current?.focus();
  }, []);
  return (
    <main class="card">
      <h1 tabIndex={focusTitle ? -1 : undefined} ref={heading}>
        {title}
      </h1>
      {children}
    </main>
  );
}
