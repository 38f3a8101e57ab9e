import { useEffect } from 'react';
import { useKeel } from '../store/store';

/** The operator's theme on the document (`system` leaves it to the OS through the CSS media query). */
export function useTheme(): void {
  const theme = useKeel((s) => s.preferences?.theme ?? 'system');
  useEffect(() => {
    const root = document.documentElement;
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  }, [theme]);
}
