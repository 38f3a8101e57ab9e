import { describe, expect, test, vi } from 'vitest';

vi.mock('electron', () => import('../support/electron-double'));

const { Notification, Tray } = await import('../support/electron-double');
const { trayMenuTemplate, trayTooltip, createTray } = await import('../../main/shell/tray');
const { noticeOptions, notifyEscalation, showInboxNotice } = await import('../../main/shell/notifications');

type MenuItem = { label?: string; checked?: boolean; click?: (item: unknown) => void };
const actions = () => ({ open: vi.fn(), openInbox: vi.fn(), setPaused: vi.fn(), quit: vi.fn() });
const templateOf = (tray: unknown) => (tray as { menu: { template: MenuItem[] } }).menu.template;
const labels = (menu: MenuItem[]) => menu.filter((i) => i.label).map((i) => i.label);
const lastNote = () => Notification.mock.instances.at(-1) as unknown as { show: () => void; emit: (e: string) => void };

describe('the tray', () => {
  test('offers Open Keel, Open Inbox with the count, Pause all agents and Quit, wired to their actions', () => {
    const act = actions();
    const menu = trayMenuTemplate({ paused: false, waiting: 3 }, act) as MenuItem[];
    expect(labels(menu)).toEqual(['Open Keel', 'Open Inbox (3)', 'Pause all agents', 'Quit']);
    const pause = menu.find((i) => i.label === 'Pause all agents')!;
    expect(pause).toMatchObject({ type: 'checkbox', checked: false });
    pause.click!({ checked: true });
    expect(act.setPaused).toHaveBeenCalledWith(true);
    menu.find((i) => i.label === 'Open Keel')!.click!(undefined);
    menu.find((i) => i.label === 'Open Inbox (3)')!.click!(undefined);
    menu.find((i) => i.label === 'Quit')!.click!(undefined);
    expect(act.open).toHaveBeenCalledOnce();
    expect(act.openInbox).toHaveBeenCalledOnce();
    expect(act.quit).toHaveBeenCalledOnce();
    expect(labels(trayMenuTemplate({ paused: true, waiting: 0 }, act) as MenuItem[])).toContain('Open Inbox');
    expect((trayMenuTemplate({ paused: true, waiting: 0 }, act) as MenuItem[]).find((i) => i.label === 'Pause all agents')!.checked).toBe(true);
  });

  test('the count shows in the tooltip, the menu and (macOS) the title, and follows changes', () => {
    const { tray, setWaiting, setPaused } = createTray('/icon.png', actions(), 'darwin');
    const fake = tray as unknown as InstanceType<typeof Tray>;
    expect(fake.setToolTip).toHaveBeenLastCalledWith('Keel — nothing waiting for you');
    setWaiting(3);
    expect(fake.setToolTip).toHaveBeenLastCalledWith('Keel — 3 waiting for you');
    expect(fake.setTitle).toHaveBeenLastCalledWith('3');
    expect(labels(templateOf(tray))).toContain('Open Inbox (3)');
    setPaused(true);
    expect(templateOf(tray).find((i) => i.label === 'Pause all agents')!.checked).toBe(true);
    expect(labels(templateOf(tray))).toContain('Open Inbox (3)');
    setWaiting(0);
    expect(fake.setTitle).toHaveBeenLastCalledWith('');
    expect(trayTooltip(1)).toBe('Keel — 1 waiting for you');
  });

  test('setTitle is left alone where the platform has no tray title', () => {
    const { tray, setWaiting } = createTray('/icon.png', actions(), 'linux');
    setWaiting(5);
    expect((tray as unknown as InstanceType<typeof Tray>).setTitle).not.toHaveBeenCalled();
    expect((tray as unknown as InstanceType<typeof Tray>).setToolTip).toHaveBeenLastCalledWith('Keel — 5 waiting for you');
  });
});

describe('OS notifications', () => {
  const notice = { title: 'Send the invoice to ACME?', body: 'Invoice 2024-117, 1,200.00 EUR', agent: 'bookkeeper', route: '#/inbox/appr_7' };

  test('an inbox notice shows title, summary and agent; clicking it opens the app at its item', () => {
    const open = vi.fn();
    expect(showInboxNotice(notice, open, 'linux')).toBe(true);
    expect(Notification).toHaveBeenLastCalledWith({ title: 'Send the invoice to ACME?', body: 'Invoice 2024-117, 1,200.00 EUR\nAgent: bookkeeper' });
    const note = lastNote();
    expect(note.show).toHaveBeenCalled();
    note.emit('click');
    expect(open).toHaveBeenCalledWith('#/inbox/appr_7');
  });

  test('macOS puts the agent on the subtitle line; no agent, no agent line', () => {
    expect(noticeOptions(notice, 'darwin')).toEqual({ title: notice.title, body: notice.body, subtitle: 'bookkeeper' });
    expect(noticeOptions({ ...notice, agent: null }, 'win32')).toEqual({ title: notice.title, body: notice.body });
  });

  test('an escalation becomes an OS notification that opens the app when clicked; none where unsupported', () => {
    const open = vi.fn();
    expect(notifyEscalation({ title: 'Keel cannot open its database', body: 'disk full' }, open)).toBe(true);
    expect(Notification).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Keel cannot open its database', body: 'disk full' }));
    lastNote().emit('click');
    expect(open).toHaveBeenCalled();
    Notification.isSupported.mockReturnValueOnce(false);
    expect(notifyEscalation({ title: 't', body: 'b' }, open)).toBe(false);
    Notification.isSupported.mockReturnValueOnce(false);
    expect(showInboxNotice(notice, open)).toBe(false);
  });
});
