import { describe, expect, test, vi } from 'vitest';

vi.mock('electron', () => import('../support/electron-double'));

const { Notification } = await import('../support/electron-double');
const { trayMenuTemplate, createTray } = await import('../../main/shell/tray');
const { noticeFor, notifyEscalation } = await import('../../main/shell/notifications');

describe('tray and notifications', () => {
  test('the tray menu offers Open Keel, Pause all agents and Quit, wired to their actions', () => {
    const actions = { open: vi.fn(), setPaused: vi.fn(), quit: vi.fn() };
    const menu = trayMenuTemplate(false, actions);
    expect(menu.filter((i) => i.label).map((i) => i.label)).toEqual(['Open Keel', 'Pause all agents', 'Quit']);
    const pause = menu.find((i) => i.label === 'Pause all agents')!;
    expect(pause).toMatchObject({ type: 'checkbox', checked: false });
    pause.click!({ checked: true } as never, undefined as never, undefined as never);
    expect(actions.setPaused).toHaveBeenCalledWith(true);
    menu.find((i) => i.label === 'Open Keel')!.click!(undefined as never, undefined as never, undefined as never);
    menu.find((i) => i.label === 'Quit')!.click!(undefined as never, undefined as never, undefined as never);
    expect(actions.open).toHaveBeenCalledOnce();
    expect(actions.quit).toHaveBeenCalledOnce();
    expect(trayMenuTemplate(true, actions).find((i) => i.label === 'Pause all agents')!.checked).toBe(true);
  });

  test('refreshing the tray redraws the paused state', () => {
    const { tray, refresh } = createTray('/icon.png', { open: vi.fn(), setPaused: vi.fn(), quit: vi.fn() });
    refresh(true);
    const template = (tray as unknown as { menu: { template: { label?: string; checked?: boolean }[] } }).menu.template;
    expect(template.find((i) => i.label === 'Pause all agents')!.checked).toBe(true);
  });

  test('an escalation becomes an OS notification that opens the app when clicked', () => {
    const open = vi.fn();
    expect(notifyEscalation({ title: 'Approval needed', body: 'Send the invoice?' }, open)).toBe(true);
    const note = Notification.mock.instances.at(-1) as unknown as { show: () => void; emit: (e: string) => void };
    expect(Notification).toHaveBeenLastCalledWith(expect.objectContaining({ title: 'Approval needed', body: 'Send the invoice?' }));
    expect(note.show).toHaveBeenCalled();
    note.emit('click');
    expect(open).toHaveBeenCalled();
    Notification.isSupported.mockReturnValueOnce(false);
    expect(notifyEscalation({ title: 't', body: 'b' }, open)).toBe(false);
  });

  test('approvals, escalations and dead letters become notifications; other events do not', () => {
    expect(noticeFor('approvals.changed', { id: 'a', status: 'pending' })).toMatchObject({ title: 'Keel: approval needed' });
    expect(noticeFor('approvals.changed', { id: 'a', status: 'decided' })).toBeNull();
    expect(noticeFor('escalations.changed', { id: 'e', status: 'open', kind: 'budget', message: 'The daily budget of agent "writer" ($1.00) would be exceeded' })).toEqual({
      title: 'Keel: budget cap reached',
      body: 'The daily budget of agent "writer" ($1.00) would be exceeded',
    });
    expect(noticeFor('escalations.changed', { id: 'e', status: 'resolved' })).toBeNull();
    expect(noticeFor('deadLetters.changed', { id: 'd', status: 'open' })).toMatchObject({ title: 'Keel: a run was parked' });
    expect(noticeFor('ledger.appended', { seq: 1 })).toBeNull();
  });
});
