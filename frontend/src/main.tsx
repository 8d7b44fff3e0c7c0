// Entry point of the login SPA. Everything the first screen needs is in this
// bundle; the WASM helper is started by App after the first real paint.
import { render } from 'preact';
import { App } from './App';
import './styles.css';

render(<App />, document.getElementById('app') as HTMLElement);
