import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  open(): void;
  setPaused(paused: boolean): void;
  quit(): void;
}

export function trayMenuTemplate(paused: boolean, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Open Keel', click: () => actions.open() },
    { label: 'Pause all agents', type: 'checkbox', checked: paused, click: (item) => actions.setPaused(item.checked) },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/** The tray icon; `refresh` redraws the menu when the paused state changes elsewhere. */
export function createTray(iconPath: string, actions: TrayActions): { tray: Tray; refresh(paused: boolean): void } {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Keel');
  const refresh = (paused: boolean) => tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(paused, actions)));
  tray.on('click', () => actions.open());
  refresh(false);
  return { tray, refresh };
}
