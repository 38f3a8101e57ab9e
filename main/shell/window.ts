import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type Session, type WebContents } from 'electron';
import { contentSecurityPolicy } from '../../shared/security/csp';

export interface Bounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
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

/** Same document, ignoring the hash (the renderer routes by hash). */
export function isAppUrl(url: string, appUrl: string): boolean {
  const strip = (u: string) => u.split('#')[0];
  return strip(url) === strip(appUrl);
}

/**
 * Applied to every web contents the app creates: no navigation away from the app, no new
 * windows (external links go to the system browser), no webviews, no permission grants.
 */
export function hardenContents(contents: WebContents, appUrl: string): void {
  contents.on('will-navigate', (event, url) => {
    if (isAppUrl(url, appUrl)) return;
    event.preventDefault();
    if (isExternalLink(url)) void shell.openExternal(url);
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, appUrl)) event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** The CSP header on every response the session loads, on top of the page's meta tag. */
export function installSessionPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy()] },
    });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

export function createMainWindow(preload: string, bounds: Bounds, appUrl: string): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preload, bounds));
  hardenContents(win.webContents, appUrl);
  win.once('ready-to-show', () => win.show());
  return win;
}
