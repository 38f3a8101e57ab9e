import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import { contentSecurityPolicy } from '../../shared/security/csp';
import { APP_URL } from './app-protocol';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
}

/** What electron-store keeps between launches: the normal (unmaximized) bounds and whether it was maximized. */
export interface WindowState {
  bounds: Bounds;
  maximized: boolean;
}

/** The one place window security is decided; asserted by test/shell/window.test.ts. */
export function mainWindowOptions(preload: string, bounds: Bounds): BrowserWindowConstructorOptions {
  return {
    ...bounds,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Keel',
    backgroundColor: '#f7f7f5',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    },
  };
}

/** Links the operator clicks open in the system browser; nothing else leaves the app. */
export function isExternalLink(url: string): boolean {
  try {
    return ['https:', 'http:', 'mailto:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * The app's own document, whatever its hash (the renderer routes by hash): keel://app/index.html
 * exactly, no query. Compared parsed, so neither another keel:// host or path, nor the old
 * file:// page, nor a look-alike such as keel://app.evil.example/ passes.
 */
export function isAppUrl(url: string): boolean {
  const parse = (u: string) => {
    try {
      const p = new URL(u);
      return `${p.protocol}//${p.host}${p.pathname}${p.search}`;
    } catch {
      return null;
    }
  };
  const page = parse(url);
  return page !== null && page === parse(APP_URL);
}

/** A renderer route (`#/inbox/<id>`); anything else is refused before it reaches the page. */
export function isRoute(route: string): boolean {
  return /^#\/[\w\-.~%/?=&]*$/.test(route);
}

/** The app's URL at a route, for a window that is not open yet. */
export function appUrlAt(route?: string): string {
  return route && isRoute(route) ? `${APP_URL}${route}` : APP_URL;
}

/**
 * Moves an open window to a route without reloading it: setting `location.hash` is a
 * same-document navigation the renderer's hashchange router follows, so state such as a
 * half-written form survives, where `loadURL` would reload the page. The route is checked
 * and passed as a JSON string literal, never spliced in as code.
 */
export async function showRoute(contents: WebContents, route: string): Promise<void> {
  if (!isRoute(route)) return;
  await contents.executeJavaScript(`location.hash = ${JSON.stringify(route)}`);
}

/** Brings an open window to the front, at `route` when given. */
export function revealWindow(win: BrowserWindow, route?: string): void {
  if (route) showRoute(win.webContents, route).catch((err: Error) => console.error(`[shell] could not open ${route}: ${err.message}`));
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

/**
 * Applied to every web contents the app creates: no navigation away from the app, no new
 * windows (external links go to the system browser), no webviews, no permission grants.
 */
export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    if (isExternalLink(url)) void shell.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * The CSP header on every response the session loads, on top of the page's meta tag (the
 * keel:// handler sets it too; this covers anything else, such as error pages).
 */
export function installSessionPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] },
    });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * The main window on keel://app/index.html (at `route` when given). It appears once its first
 * paint is ready, maximized again if it was when last closed.
 */
export function createMainWindow(preload: string, state: WindowState, route?: string): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preload, state.bounds));
  hardenContents(win.webContents);
  win.once('ready-to-show', () => {
    if (state.maximized) win.maximize();
    win.show();
  });
  win.loadURL(appUrlAt(route)).catch((err: Error) => console.error(`[shell] the window could not load the app: ${err.message}`));
  return win;
}

/** The state to keep when the window closes: normal bounds, so un-maximizing later restores a real size. */
export function windowStateOf(win: BrowserWindow): WindowState {
  return { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
}
