import type { ReactNode } from "react";
import { Button } from "./Button";

export interface Column<T> {
  key: string;
  header: ReactNode;
  /** the column name shown before each cell when the table turns into cards on a phone */
  label?: string;
  cell: (row: T) => ReactNode;
  actions?: boolean;
}

interface Props<T> {
  caption: string;
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  /** keyset paging: shown while the server says there is more */
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
}

/** A data table with a keyset pager ("Load more" follows next_cursor; no page numbers to skip). */
export function Table<T>({ caption, columns, rows, rowKey, hasMore, loadingMore, onLoadMore }: Props<T>) {
  return (
    <div className="ui-table-wrap">
      <table className="ui-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c.key} scope="col">
                {c.actions ? <span className="visually-hidden">{c.header}</span> : c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {columns.map((c) => (
                <td key={c.key} className={c.actions ? "ui-actions" : undefined} data-label={c.actions ? undefined : (c.label ?? (typeof c.header === "string" ? c.header : undefined))}>
                  {c.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {(hasMore || loadingMore) && onLoadMore && (
        <div className="ui-pager">
          <Button onClick={onLoadMore} busy={loadingMore ? "Loading…" : false}>
            Load more
          </Button>
        </div>
      )}
    </div>
  );
}
