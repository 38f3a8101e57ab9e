import { useRef } from 'react';
import { useKeel } from '../store/store';

/** "Add files…": the same path as a drop, for those who prefer a file dialog. */
export function AddFilesButton({ className }: { className?: string }) {
  const input = useRef<HTMLInputElement>(null);
  const addFiles = useKeel((s) => s.addFiles);
  return (
    <>
      <button type="button" className={className} onClick={() => input.current?.click()}>
        Add files…
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-hidden="true"
        tabIndex={-1}
        data-testid="file-input"
        onChange={(e) => {
          addFiles(Array.from(e.target.files ?? []).map((file) => ({ file })));
          // Picking the same files again must fire change again.
          e.target.value = '';
        }}
      />
    </>
  );
}
