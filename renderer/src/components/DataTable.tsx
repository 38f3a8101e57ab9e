import type { ReactNode } from 'react';

/** A column: its header, how a row shows in it, and whether it holds a number (right-aligned). */
export type Column<T> = [header: string, cell: (row: T) => ReactNode, numeric?: boolean];

/** A plain table described by its columns, so lists of figures are not written out cell by cell. */
export function DataTable<T>({ label, columns, rows, rowKey }: { label: string; columns: Column<T>[]; rows: T[]; rowKey: (row: T) => string }) {
  return (
    <table aria-label={label}>
      <thead>
        <tr>
          {columns.map(([header]) => (
            <th key={header} scope="col">
              {header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={rowKey(row)}>
            {columns.map(([header, cell, numeric]) => (
              <td key={header} className={numeric ? 'num' : undefined}>
                {cell(row)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
