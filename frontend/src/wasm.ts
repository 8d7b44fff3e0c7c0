// The Go WASM helper (wasm/ in this repository). It is optional for the first
// screen: the login form renders and works before it arrives, and the code
// helpers in code.ts fall back to TypeScript until it is ready.

export type NormalizeResult = { ok: true; digits: string } | { ok: false; reason: 'invalid_char' | 'length' };

/** What wasm/main.go puts on globalThis.kanmon. */
export interface KanmonWasm {
  ready?: boolean;
  normalizeCode(raw: string, length: number): NormalizeResult;
  formatCode(digits: string): string;
  groupSecret(secret: string): string;
  maskEmail(addr: string): string;
  createCredential?(optionsJSON: string): Promise<string>;
  getAssertion?(optionsJSON: string): Promise<string>;
}

/** Go's wasm_exec.js runtime, as much of it as we use. */
interface GoRuntime {
  importObject: WebAssembly.Imports;
  run(instance: WebAssembly.Instance): Promise<void>;
}

declare global {
  // eslint-disable-next-line no-var
  var kanmon: KanmonWasm | undefined;
  // eslint-disable-next-line no-var
  var Go: (new () => GoRuntime) | undefined;
}

export const readyEvent = 'kanmon:ready';

/** currentWasm returns the helper when it has finished starting, else undefined. */
export function currentWasm(): KanmonWasm | undefined {
  const k = globalThis.kanmon;
  return k && k.ready ? k : undefined;
}

let loading: Promise<KanmonWasm> | undefined;

/**
 * loadWasm fetches and starts the helper once; later calls share the promise.
 * It resolves when the module has set kanmon.ready, and rejects if the files
 * are missing (a build without WASM) so callers can stay on the fallback.
 */
export function loadWasm(base = '/wasm/'): Promise<KanmonWasm> {
  loading ??= start(base);
  return loading;
}

async function start(base: string): Promise<KanmonWasm> {
  const ready = whenReady();
  await loadScript(base + 'wasm_exec.js');
  if (!globalThis.Go) throw new Error('wasm_exec.js did not define Go');
  const go = new globalThis.Go();
  const instance = await instantiate(base + 'kanmon.wasm', go.importObject);
  // run() resolves only when the Go program exits; it stays alive for callbacks.
  void go.run(instance);
  return ready;
}

function whenReady(): Promise<KanmonWasm> {
  return new Promise((resolve) => {
    const k = currentWasm();
    if (k) return resolve(k);
    addEventListener(readyEvent, () => resolve(globalThis.kanmon as KanmonWasm), { once: true });
  });
}

// A dynamically created script element: index.html never references the Go
// runtime, so it cannot delay the first paint.
function loadScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.async = true;
    s.onload = () => resolve();
    s.onerror = () => reject(new Error('cannot load ' + src));
    document.head.append(s);
  });
}

async function instantiate(url: string, imports: WebAssembly.Imports): Promise<WebAssembly.Instance> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  if (res.headers.get('Content-Type')?.startsWith('application/wasm')) {
    return (await WebAssembly.instantiateStreaming(res, imports)).instance;
  }
  // A server that mislabels the type would make instantiateStreaming throw.
  return (await WebAssembly.instantiate(await res.arrayBuffer(), imports)).instance;
}
