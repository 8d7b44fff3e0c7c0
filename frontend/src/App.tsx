import { useEffect, useState } from 'preact/hooks';
import { api } from './api/client';
import type { Flow, Method, Problem, Session } from './api/types';
import { LanguageToggle } from './components/LanguageToggle';
import { stepFor } from './flow';
import { catalogues, I18n, initialLang, rememberLang, useT, type Lang } from './i18n';
import { ChooseScreen } from './screens/ChooseScreen';
import { CodeScreen } from './screens/CodeScreen';
import { ForgotScreen } from './screens/ForgotScreen';
import { LoginScreen } from './screens/LoginScreen';
import { RegisterKeyScreen } from './screens/RegisterKeyScreen';
import { SendEmailStep } from './screens/SendEmailStep';
import { SetupScreen } from './screens/SetupScreen';
import { SignedInScreen } from './screens/SignedInScreen';
import { WebauthnScreen } from './screens/WebauthnScreen';
import { loadWasm } from './wasm';

/** What the app shows; a login flow's step is derived from the server's answer. */
export type View =
  | { kind: 'loading' }
  | { kind: 'login'; reason?: Problem; loggedOut?: boolean }
  | { kind: 'forgot' }
  | { kind: 'flow'; flow: Flow; chosen?: Method }
  /** Logged in, and invited to register a key as asked at an earlier login. */
  | { kind: 'registerKey' }
  | { kind: 'signedIn'; session: Session; notice?: 'registered' };

const forgotPath = '/password/forgot';

function viewForPath(): View {
  return location.pathname === forgotPath ? { kind: 'forgot' } : { kind: 'loading' };
}

/**
 * resumeView finds where the user stands after a (re)load: signed in, in the
 * middle of a login flow (its cookie survives a reload), or at the login form.
 */
export async function resumeView(): Promise<View> {
  const [session, flow] = await Promise.allSettled([api.session(), api.flow()]);
  if (session.status === 'fulfilled') return { kind: 'signedIn', session: session.value };
  if (flow.status === 'fulfilled' && flow.value.state !== 'authenticated') return { kind: 'flow', flow: flow.value };
  return { kind: 'login' };
}

export function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const [view, setView] = useState<View>(viewForPath);

  useEffect(() => {
    document.documentElement.lang = lang;
    if (view.kind === 'loading') void resumeView().then(setView);
    const onPop = () => {
      const v = viewForPath();
      setView(v.kind === 'forgot' ? v : { kind: 'login' });
    };
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);

  // The WASM helper is fetched only once a real screen has been painted, so it
  // never competes with the login form for the first render.
  const painted = view.kind !== 'loading';
  useEffect(() => {
    if (painted) requestAnimationFrame(() => setTimeout(() => loadWasm().catch(() => undefined), 0));
  }, [painted]);

  function changeLang(l: Lang) {
    rememberLang(l);
    setLang(l);
  }

  function navigate(path: string, next: View) {
    if (location.pathname !== path) history.pushState(null, '', path);
    setView(next);
  }

  const restart = (reason: Problem) =>
    reason.code === 'step_not_allowed'
      ? void resumeView().then(setView) // the flow moved on elsewhere: show where it stands now
      : navigate('/', { kind: 'login', reason });

  async function showSession(notice?: 'registered'): Promise<void> {
    const session = await api.session();
    navigate('/', { kind: 'signedIn', session, notice });
  }

  // Every step answers with the flow; "authenticated" means the session cookie
  // is set, so the signed-in page can ask who we are.
  async function onFlow(flow: Flow): Promise<void> {
    if (flow.state !== 'authenticated') return setView({ kind: 'flow', flow });
    if (flow.offer_webauthn_setup) return setView({ kind: 'registerKey' });
    return showSession();
  }

  const t = catalogues[lang];
  return (
    <I18n.Provider value={t}>
      <header class="site-header">
        <p class="system-name">{t.systemName}</p>
        <LanguageToggle lang={lang} onChange={changeLang} />
      </header>
      <Body view={view} setView={setView} onFlow={onFlow} restart={restart} navigate={navigate} showSession={showSession} />
    </I18n.Provider>
  );
}

interface BodyProps {
  view: View;
  setView: (v: View) => void;
  onFlow: (f: Flow) => Promise<void>;
  restart: (p: Problem) => void;
  navigate: (path: string, v: View) => void;
  showSession: (notice?: 'registered') => Promise<void>;
}

function Body({ view, setView, onFlow, restart, navigate, showSession }: BodyProps) {
  const t = useT();
  switch (view.kind) {
    case 'loading':
      return (
        <main class="card" aria-busy="true">
          <p class="loading">{t.loading}</p>
        </main>
      );
    case 'login':
      return (
        <LoginScreen
          reason={view.reason}
          loggedOut={view.loggedOut}
          onFlow={onFlow}
          onForgot={() => navigate(forgotPath, { kind: 'forgot' })}
        />
      );
    case 'forgot':
      return <ForgotScreen onBack={() => navigate('/', { kind: 'login' })} />;
    case 'registerKey':
      return <RegisterKeyScreen onDone={(registered) => showSession(registered ? 'registered' : undefined)} />;
    case 'signedIn':
      return (
        <SignedInScreen
          session={view.session}
          notice={view.notice === 'registered' ? t.registered : undefined}
          onLoggedOut={() => setView({ kind: 'login', loggedOut: true })}
        />
      );
    case 'flow':
      return <FlowStep flow={view.flow} chosen={view.chosen} setView={setView} onFlow={onFlow} restart={restart} />;
  }
}

interface FlowStepProps {
  flow: Flow;
  chosen?: Method;
  setView: (v: View) => void;
  onFlow: (f: Flow) => Promise<void>;
  restart: (p: Problem) => void;
}

function FlowStep({ flow, chosen, setView, onFlow, restart }: FlowStepProps) {
  const step = stepFor(flow, chosen);
  // Going back to the choice makes sense only before a method has been used.
  const canChoose = flow.state === 'mfa_required' && flow.methods.length > 1;
  const backToChoice = canChoose ? () => setView({ kind: 'flow', flow }) : undefined;
  switch (step.kind) {
    case 'setup':
      return <SetupScreen onFlow={onFlow} onRestart={restart} />;
    case 'choose':
      return <ChooseScreen flow={flow} onChoose={(m) => setView({ kind: 'flow', flow, chosen: m })} />;
    case 'code':
      return <CodeScreen flow={flow} method={step.method} onFlow={onFlow} onRestart={restart} onOtherMethod={backToChoice} />;
    case 'sendEmail':
      return <SendEmailStep onFlow={onFlow} onRestart={restart} onBack={backToChoice} />;
    case 'webauthn':
      return <WebauthnScreen onFlow={onFlow} onRestart={restart} onOtherMethod={backToChoice} />;
    case 'authenticated':
      return null; // onFlow never stores an authenticated flow
  }
}
