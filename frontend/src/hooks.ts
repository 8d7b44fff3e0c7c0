// Small hooks shared by the screens.
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, localProblem, networkCode } from './api/client';
import type { Problem } from './api/types';
import { restartCodes } from './i18n/problems';
import { currentWasm, readyEvent, type KanmonWasm } from './wasm';

/**
 * useAutoFocus focuses the element once when the step appears, so keyboard and
 * screen-reader users start where the step starts. `when` lets a screen leave
 * the focus to an error message instead.
 */
export function useAutoFocus<T extends HTMLElement>(when = true): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (when) ref.current?.focus();
  }, []);
  return ref;
}

export function toProblem(e: unknown): Problem {
  if (e instanceof ApiError) return e.problem;
  return localProblem(networkCode);
}

/**
 * useRequest runs one API call at a time and keeps the screen's busy flag and
 * last problem. Problems that end the login flow go to `onRestart` (the app
 * returns to the login form) instead of being shown on this screen.
 */
export function useRequest(onRestart?: (p: Problem) => void) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const inFlight = useRef(false);

  async function run(action: () => Promise<void>): Promise<void> {
    if (inFlight.current) return; // a double click must not send twice
    inFlight.current = true;
    setBusy(true);
    setProblem(undefined);
    try {
      await action();
    } catch (e) {
      const p = toProblem(e);
      if (onRestart && restartCodes.has(p.code)) onRestart(p);
      else setProblem(p);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  }
  return { busy, problem, setProblem, run };
}

/** useWasm re-renders the caller when the WASM helper becomes ready. */
export function useWasm(): KanmonWasm | undefined {
  const [k, setK] = useState(currentWasm);
  useEffect(() => {
    if (k) return;
    const onReady = () => setK(currentWasm());
    addEventListener(readyEvent, onReady);
    return () => removeEventListener(readyEvent, onReady);
  }, [k]);
  return k;
}

/** useNow returns the current time, refreshed every second while `ticking`. */
export function useNow(ticking: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!ticking) return;
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, [ticking]);
  return now;
}
