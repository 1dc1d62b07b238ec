/**
 * The contact-structure sheet as CSV (RFC 4180: comma-separated, `"`-quoted, UTF-8; docs/admin.md,
 * "Export and import") — the export's body and the import's. The columns and what their cells mean
 * are `domain/contact-structure-sheet.ts`; here only the text around them, with csv-parse and
 * csv-stringify (quoting, line breaks inside cells, a byte-order mark from a spreadsheet).
 */
import { CsvError, parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { SHEET_COLUMNS, type SheetCells } from '../domain/contact-structure-sheet.ts';
import type { GroupDeletion } from '../engine/contact-structure.ts';

/** The media type of the export. */
export const CONTACT_STRUCTURE_CSV = 'text/csv; charset=utf-8';

/** An exported sheet: the header, then a row per group and per point. */
export function contactStructureCsv(rows: readonly SheetCells[]): string {
  return stringify(
    rows.map((cells) => SHEET_COLUMNS.map((column) => cells[column] ?? '')),
    { header: true, columns: [...SHEET_COLUMNS], record_delimiter: 'unix' },
  );
}

/** A sheet as read: its header and its records, each with its row number (the header is row 1). */
export interface CsvSheet {
  header: string[];
  rows: Array<{ row: number; cells: string[] }>;
}

/** Why a CSV text cannot be read at all, with where. */
export class CsvUnreadable extends Error {
  readonly line: number | undefined;

  constructor(message: string, line: number | undefined) {
    super(message);
    this.name = 'CsvUnreadable';
    this.line = line;
  }
}

/**
 * Reads CSV text (a leading byte-order mark is skipped, empty lines too). Rows may end in CRLF or LF,
 * mixed: an export (LF) with rows added by a spreadsheet or editor writing CRLF reads as it looks,
 * where csv-parse's own guess (the first row's ending) would keep a `\r` in the last cell.
 *
 * @throws CsvUnreadable for text that is not CSV (an unclosed quote, say).
 */
export function readCsv(text: string): CsvSheet {
  let records: string[][];
  try {
    records = parse(text, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n'],
    });
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new CsvUnreadable(error.message, line);
    }
    throw error;
  }
  const [header = [], ...rest] = records;
  return {
    header: header.map((name) => name.trim()),
    rows: rest.map((cells, index) => ({ row: index + 2, cells })),
  };
}

/**
 * The preview of a group's deletion (the simulator's shape): each group and point it touches with
 * what happens to it — `DELETE`, or `REMOVE_REFERENCE` for a point that stays in other groups.
 */
export function groupDeletionJson(deletion: GroupDeletion) {
  return {
    contactGroup: { id: deletion.group.id, name: deletion.group.name },
    confirmationRequired: deletion.confirmationRequired,
    items: [
      ...deletion.groups.map((group) => ({
        type: 'GROUP',
        id: group.id,
        name: group.name,
        action: 'DELETE',
      })),
      ...deletion.points.map((point) => ({
        type: 'POINT',
        id: point.id,
        name: point.name,
        action: 'DELETE',
      })),
      ...deletion.references.map(({ point }) => ({
        type: 'POINT',
        id: point.id,
        name: point.name,
        action: 'REMOVE_REFERENCE',
      })),
    ],
  };
}
