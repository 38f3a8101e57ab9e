import { describe, expect, test, vi } from 'vitest';

vi.mock('electron', () => import('../support/electron-double'));

const { BrowserWindow, fakeSession, shell } = await import('../support/electron-double');
const { createMainWindow, installSessionPolicy, mainWindowOptions } = await import('../../main/shell/window');

const APP_URL = 'file:///opt/keel/out/renderer/index.html';

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

  test('navigation away from the app is denied; web links go to the system browser', () => {
    shell.openExternal.mockClear();
    const win = createMainWindow('/p.cjs', { width: 800, height: 600 }, APP_URL) as unknown as InstanceType<typeof BrowserWindow>;
    const contents = win.webContents;
    expect(contents.fire('will-navigate', `${APP_URL}#/timeline`)).toBe(false);
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
    const win = createMainWindow('/p.cjs', { width: 800, height: 600 }, APP_URL) as unknown as InstanceType<typeof BrowserWindow>;
    const open = win.webContents.windowOpenHandler!;
    expect(open({ url: 'https://docs.example/help' })).toEqual({ action: 'deny' });
    expect(open({ url: 'mailto:me@example.com' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/shadow' })).toEqual({ action: 'deny' });
    expect(open({ url: 'smb://host/share' })).toEqual({ action: 'deny' });
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
});
