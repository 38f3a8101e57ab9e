import { describe, expect, test, vi } from 'vitest';

vi.mock('electron', () => import('../support/electron-double'));

const { BrowserWindow, fakeSession, shell } = await import('../support/electron-double');
const { createMainWindow, installSessionPolicy, mainWindowOptions, revealWindow, windowStateOf } = await import('../../main/shell/window');

const APP_URL = 'keel://app/index.html';
type FakeWindow = InstanceType<typeof BrowserWindow>;
const STATE = { bounds: { width: 800, height: 600 }, maximized: false };
const open = (route?: string) => createMainWindow('/p.cjs', STATE, route) as unknown as FakeWindow;

describe('the main window', () => {
  test('is created with context isolation, sandbox, no Node integration and the preload', () => {
    const options = mainWindowOptions('/opt/keel/out/preload/index.cjs', { width: 1000, height: 700 });
    expect(options.webPreferences).toMatchObject({
      preload: '/opt/keel/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(options).toMatchObject({ width: 1000, height: 700, show: false });
  });

  test('loads the renderer from keel://app/index.html, at a route when asked, never from file://', () => {
    expect(open().loadURL).toHaveBeenCalledWith(APP_URL);
    expect(open('#/inbox/appr_1').loadURL).toHaveBeenCalledWith(`${APP_URL}#/inbox/appr_1`);
    // A route that is not one (script, another page) is dropped, the app still opens.
    expect(open('javascript:alert(1)').loadURL).toHaveBeenCalledWith(APP_URL);
    expect(open('#/x"onload=1').loadURL).toHaveBeenCalledWith(APP_URL);
    expect(open().loadFile).not.toHaveBeenCalled();
  });

  test('the navigation guard lets only keel://app/index.html through, whatever its hash', () => {
    const contents = open().webContents;
    expect(contents.fire('will-navigate', `${APP_URL}#/timeline`)).toBe(false);
    expect(contents.fire('will-navigate', APP_URL)).toBe(false);
    for (const url of [
      'keel://app/other.html',
      'keel://app/index.html?debug=1',
      'keel://other/index.html',
      'keel://app.evil.example/index.html',
      'file:///opt/keel/out/renderer/index.html',
      'https://app/index.html',
    ]) {
      expect(contents.fire('will-navigate', url), url).toBe(true);
    }
    expect(contents.fire('will-redirect', 'keel://app/elsewhere.html')).toBe(true);
    expect(contents.fire('will-redirect', `${APP_URL}#/inbox`)).toBe(false);
  });

  test('navigation away from the app is denied; web links go to the system browser', () => {
    shell.openExternal.mockClear();
    const contents = open().webContents;
    expect(contents.fire('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://evil.example/phish');
    expect(contents.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-navigate', 'javascript:alert(1)')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(contents.fire('will-redirect', 'https://evil.example/')).toBe(true);
    expect(contents.fire('will-attach-webview')).toBe(true);
  });

  test('new windows are always denied; http(s) and mailto links open externally, nothing else', () => {
    shell.openExternal.mockClear();
    const openWindow = open().webContents.windowOpenHandler!;
    expect(openWindow({ url: 'https://docs.example/help' })).toEqual({ action: 'deny' });
    expect(openWindow({ url: 'mailto:me@example.com' })).toEqual({ action: 'deny' });
    expect(openWindow({ url: 'file:///etc/shadow' })).toEqual({ action: 'deny' });
    expect(openWindow({ url: 'smb://host/share' })).toEqual({ action: 'deny' });
    expect(openWindow({ url: `${APP_URL}#/inbox` })).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls.map((c) => c[0])).toEqual(['https://docs.example/help', 'mailto:me@example.com']);
  });

  test('every response carries the strict CSP and no permission is granted', () => {
    installSessionPolicy(fakeSession as never);
    let headers: Record<string, string[]> = {};
    fakeSession.headersListener!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (headers = r.responseHeaders));
    const csp = headers['Content-Security-Policy']![0]!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(headers['X-Other']).toEqual(['1']);
    const granted: boolean[] = [];
    for (const permission of ['notifications', 'media', 'geolocation', 'openExternal']) {
      fakeSession.permissionHandler!(null, permission, (g) => granted.push(g));
    }
    expect(granted).toEqual([false, false, false, false]);
    expect(fakeSession.permissionCheck!()).toBe(false);
  });

  test('an open window moves to a route in place (location.hash), without reloading', () => {
    const win = open();
    win.loadURL.mockClear();
    win.minimized = true;
    revealWindow(win as never, '#/inbox/esc%2F7');
    expect(win.webContents.executeJavaScript).toHaveBeenCalledWith('location.hash = "#/inbox/esc%2F7"');
    expect(win.loadURL).not.toHaveBeenCalled();
    expect(win.restore).toHaveBeenCalled();
    expect(win.show).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    win.webContents.executeJavaScript.mockClear();
    revealWindow(win as never, '#/inbox";fetch("https://evil.example');
    revealWindow(win as never);
    expect(win.webContents.executeJavaScript).not.toHaveBeenCalled();
  });

  test('comes back maximized if it was, and keeps its normal bounds when it closes', () => {
    const win = createMainWindow('/p.cjs', { bounds: { x: 5, y: 6, width: 1000, height: 700 }, maximized: true }) as unknown as FakeWindow;
    expect(win.options).toMatchObject({ x: 5, y: 6, width: 1000, height: 700, show: false });
    expect(win.show).not.toHaveBeenCalled();
    win.emit('ready-to-show');
    expect(win.maximize).toHaveBeenCalled();
    expect(win.show).toHaveBeenCalled();
    win.isMaximized.mockReturnValue(true);
    expect(windowStateOf(win as never)).toEqual({ bounds: { x: 10, y: 20, width: 900, height: 650 }, maximized: true });
    const plain = open();
    plain.emit('ready-to-show');
    expect(plain.maximize).not.toHaveBeenCalled();
  });
});
