import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  open(): void;
  openInbox(): void;
  setPaused(paused: boolean): void;
  quit(): void;
}

export interface TrayState {
  paused: boolean;
  /** Pending approvals, open escalations and dead letters (the inbox's total). */
  waiting: number;
}

export function trayMenuTemplate(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Open Keel', click: () => actions.open() },
    { label: state.waiting > 0 ? `Open Inbox (${state.waiting})` : 'Open Inbox', click: () => actions.openInbox() },
    { label: 'Pause all agents', type: 'checkbox', checked: state.paused, click: (item) => actions.setPaused(item.checked) },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

export function trayTooltip(waiting: number): string {
  return waiting > 0 ? `Keel — ${waiting} waiting for you` : 'Keel — nothing waiting for you';
}

export interface KeelTray {
  tray: Tray;
  setPaused(paused: boolean): void;
  setWaiting(count: number): void;
}

/**
 * The tray icon with the inbox count in its tooltip, its menu and, on macOS (the only
 * platform with a title beside the icon), its title. Each change redraws the menu.
 */
export function createTray(iconPath: string, actions: TrayActions, platform: NodeJS.Platform = process.platform): KeelTray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  const state: TrayState = { paused: false, waiting: 0 };
  const redraw = () => {
    tray.setToolTip(trayTooltip(state.waiting));
    if (platform === 'darwin') tray.setTitle(state.waiting > 0 ? String(state.waiting) : '');
    tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(state, actions)));
  };
  tray.on('click', () => actions.open());
  redraw();
  return {
    tray,
    setPaused(paused) {
      state.paused = paused;
      redraw();
    },
    setWaiting(count) {
      if (count === state.waiting) return;
      state.waiting = count;
      redraw();
    },
  };
}
