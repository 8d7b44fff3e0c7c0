import { useEffect, useRef } from 'preact/hooks';
import type { Problem } from '../api/types';
import { useT } from '../i18n';
import { problemMessage } from '../i18n/problems';

/**
 * ErrorAlert shows a problem in the current language and takes the focus when
 * it appears, so screen readers read it and keyboard users are not left on a
 * button whose action failed.
 */
export function ErrorAlert({ problem }: { problem: Problem | undefined }) {
  const t = useT();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (problem) ref.current?.focus();
  }, [problem]);
  if (!problem) return null;
  return (
    <div class="alert alert-error" role="alert" tabIndex={-1} ref={ref}>
      {problemMessage(problem, t)}
    </div>
  );
}

/** Notice is a polite status line for good news (code sent, copied, logged out). */
export function Notice({ text }: { text: string | undefined }) {
  return (
    <p class="notice" role="status">
      {text}
    </p>
  );
}
