/**
 * The contact structure's export and import (admin.md §2.5; docs/admin.md, "Export and import"):
 * the whole structure as one sheet, and a sheet taken back — validated whole first (any bad row:
 * nothing changes, every problem named by its row and column), then applied in one transaction:
 * rows with an ID upsert that group or point, rows without one create.
 */

import { isOneOf } from '../../sdk/ngdp/enums.ts';
import { isUuid } from '../../sdk/ngdp/identifiers.ts';
import {
  groupProblems,
  pointProblems,
  readContactGroupCommand,
  readContactPointCommand,
  type Structure,
} from '../domain/contact-structure.ts';
import {
  columnOf,
  groupCommand,
  groupCommandOf,
  groupRow,
  pointCommand,
  pointCommandOf,
  pointRow,
  ROW_TYPES,
  type RowType,
  SHEET_COLUMNS,
  type SheetCells,
  type SheetColumn,
} from '../domain/contact-structure-sheet.ts';
import type { CommandProblem } from '../domain/mail-system.ts';
import type { ContactGroupRecord, ContactPoint } from '../domain/model.ts';
import type { ContactStructure } from './contact-structure.ts';
import type { EngineContext } from './context.ts';
import type { AdminCaller } from './identities.ts';
import { CONTACT_GROUPS } from './organisations.ts';
import { reject } from './rejections.ts';

/** At most this many groups and this many points per file (admin.md §2.5). */
export const SHEET_LIMITS = { groups: 2000, points: 2000 } as const;

/** A sheet as the adapter read it: the header's names and each record's cells with its row number. */
export interface SheetInput {
  header: readonly string[];
  rows: ReadonlyArray<{ row: number; cells: readonly string[] }>;
}

/** What an import did. */
export interface ImportCounts {
  groupsCreated: number;
  groupsUpdated: number;
  pointsCreated: number;
  pointsUpdated: number;
}

/** One row's change, once validated. */
type Planned =
  | { kind: 'GROUP'; row: number; record: ContactGroupRecord; before: ContactGroupRecord | undefined }
  | { kind: 'POINT'; row: number; record: ContactPoint; before: ContactPoint | undefined };

const rowOf = (row: number): string => `row ${row}`;

export class ContactSheet {
  private readonly context: EngineContext;
  private readonly structure: ContactStructure;

  constructor(context: EngineContext, structure: ContactStructure) {
    this.context = context;
    this.structure = structure;
  }

  /** The context organisation's structure: its groups, each after its parent, then its points. */
  export(caller: AdminCaller): SheetCells[] {
    const groups = this.structure.groups(caller);
    const ordered: ContactGroupRecord[] = [];
    const placed = new Set<string>();
    const place = (parentId: string | undefined): void => {
      for (const group of groups)
        if (group.parentId === parentId && !placed.has(group.id)) {
          placed.add(group.id);
          ordered.push(group);
          place(group.id);
        }
    };
    place(undefined);
    ordered.push(...groups.filter((group) => !placed.has(group.id)));
    return [...ordered.map(groupRow), ...this.structure.points(caller).map(pointRow)];
  }

  /**
   * Imports a sheet into the context organisation's structure, all of it or nothing.
   *
   * @throws Rejection 400 INVALID_IMPORT listing each problem (resource `row <n>`, field the
   *   column); 400 TOO_MANY over {@link SHEET_LIMITS}.
   */
  import(caller: AdminCaller, sheet: SheetInput): ImportCounts {
    const columns = this.columns(sheet.header);
    const rows = sheet.rows.map(({ row, cells }) => {
      const byColumn: SheetCells = {};
      columns.forEach((column, index) => {
        if (column !== undefined) byColumn[column] = cells[index] ?? '';
      });
      return { row, cells: byColumn, type: byColumn.Type?.trim().toUpperCase() ?? '' };
    });
    for (const [type, limit] of [
      ['GROUP', SHEET_LIMITS.groups],
      ['POINT', SHEET_LIMITS.points],
    ] as const) {
      const count = rows.filter((row) => row.type === type).length;
      if (count > limit) throw reject.importTooMany(type === 'GROUP' ? 'groups' : 'points', count, limit);
    }
    const structure = this.structure.structure(caller.organisation.id);
    const groups = new Map(structure.groups);
    const problems: CommandProblem[] = [];
    const planned: Planned[] = [];
    const seen = new Set<string>();
    // Groups first, so that the points' references see the groups the file makes.
    const ordered = [
      ...rows.filter((row) => row.type === 'GROUP'),
      ...rows.filter((row) => row.type !== 'GROUP'),
    ];
    for (const { row, cells, type } of ordered) {
      const problem = (field: SheetColumn, code: string, message: string, value?: unknown): void => {
        problems.push({ resource: rowOf(row), field, code, message, rejectedValue: value });
      };
      if (!isOneOf(ROW_TYPES, type)) {
        problem('Type', type === '' ? 'REQUIRED' : 'NOT_ALLOWED_VALUE', 'must be GROUP or POINT', cells.Type);
        continue;
      }
      const id = this.idOf(caller, cells.ID ?? '', type, structure, seen, problem);
      if (id === null) continue;
      const read = (found: readonly CommandProblem[]) =>
        problems.push(...found.map((each) => ({ ...each, field: columnOf(each.field) })));
      if (type === 'GROUP') {
        const before = id === undefined ? undefined : structure.groups.get(id);
        const reading = readContactGroupCommand(
          groupCommandOf(cells, before === undefined ? {} : groupCommand(before)),
          rowOf(row),
        );
        read(reading.problems);
        if (reading.settings === undefined) continue;
        const record =
          before === undefined
            ? this.structure.newGroup(caller.organisation.id, reading.settings, id ?? this.context.newId())
            : this.structure.changedGroup(before, reading.settings);
        groups.set(record.id, record);
        planned.push({ kind: 'GROUP', row, record, before });
      } else {
        const before = id === undefined ? undefined : structure.points.get(id);
        const reading = readContactPointCommand(
          pointCommandOf(cells, before === undefined ? {} : pointCommand(before)),
          rowOf(row),
        );
        read(reading.problems);
        if (reading.settings === undefined) continue;
        const record =
          before === undefined
            ? this.structure.newPoint(caller.organisation.id, reading.settings, id ?? this.context.newId())
            : this.structure.changedPoint(before, reading.settings);
        planned.push({ kind: 'POINT', row, record, before });
      }
    }
    const future = { groups, recipientSystems: structure.recipientSystems };
    for (const entry of planned)
      problems.push(
        ...(entry.kind === 'GROUP'
          ? groupProblems(entry.record, future, rowOf(entry.row), 'Parent ID')
          : pointProblems(entry.record, future, rowOf(entry.row), {
              systemId: 'System ID',
              contactGroups: 'Parent ID',
            })),
      );
    if (problems.length > 0) throw reject.importInvalid(sortedByRow(problems));
    return this.apply(caller, planned);
  }

  private apply(caller: AdminCaller, planned: readonly Planned[]): ImportCounts {
    const counts: ImportCounts = { groupsCreated: 0, groupsUpdated: 0, pointsCreated: 0, pointsUpdated: 0 };
    this.context.change(() => {
      for (const entry of planned) {
        if (entry.kind === 'GROUP') {
          const { record, before } = entry;
          if (before !== undefined && same(groupCommand(before), groupCommand(record))) continue;
          this.structure.saveGroup(caller, record, before);
          counts[before === undefined ? 'groupsCreated' : 'groupsUpdated']++;
        } else {
          const { record, before } = entry;
          if (before !== undefined && same(pointCommand(before), pointCommand(record))) continue;
          this.structure.savePoint(caller, record, before);
          counts[before === undefined ? 'pointsCreated' : 'pointsUpdated']++;
        }
      }
    });
    return counts;
  }

  /** Which column each header name is (undefined for none). @throws Rejection for a wrong header. */
  private columns(header: readonly string[]): Array<SheetColumn | undefined> {
    const problems: CommandProblem[] = [];
    const columns = header.map((name) =>
      SHEET_COLUMNS.find((column) => column.toLowerCase() === name.toLowerCase()),
    );
    header.forEach((name, index) => {
      const column = columns[index];
      if (column === undefined)
        problems.push({
          resource: rowOf(1),
          field: name,
          code: 'NOT_ALLOWED_VALUE',
          message: `is no column of the contact structure (${SHEET_COLUMNS.join(', ')})`,
          rejectedValue: name,
        });
      else if (columns.indexOf(column) !== index)
        problems.push({
          resource: rowOf(1),
          field: name,
          code: 'DUPLICATE',
          message: 'is given twice',
          rejectedValue: name,
        });
    });
    if (!columns.includes('Type'))
      problems.push({
        resource: rowOf(1),
        field: 'Type',
        code: 'REQUIRED',
        message: 'the header must name the column Type',
      });
    if (problems.length > 0) throw reject.importInvalid(problems);
    return columns;
  }

  /**
   * The ID a row names (lower case), undefined for a row without one (a new object), or null when
   * the ID is wrong (its problem reported): not a UUID, twice in the file, another kind of object,
   * or another organisation's.
   */
  private idOf(
    caller: AdminCaller,
    cell: string,
    type: RowType,
    structure: Structure,
    seen: Set<string>,
    problem: (field: SheetColumn, code: string, message: string, value?: unknown) => void,
  ): string | undefined | null {
    const text = cell.trim();
    if (text === '') return undefined;
    if (!isUuid(text)) {
      problem('ID', 'INVALID_FORMAT', 'must be a UUID, or empty for a new object', cell);
      return null;
    }
    const id = text.toLowerCase();
    if (seen.has(id)) {
      problem('ID', 'DUPLICATE', 'is in the file twice', cell);
      return null;
    }
    seen.add(id);
    const other = type === 'GROUP' ? structure.points.has(id) : structure.groups.has(id);
    if (other) {
      problem(
        'ID',
        'NOT_ALLOWED_VALUE',
        `names a contact ${type === 'GROUP' ? 'point' : 'group'}, not a ${type === 'GROUP' ? 'group' : 'point'}`,
        cell,
      );
      return null;
    }
    const { store } = this.context;
    const elsewhere = store.getRecord(CONTACT_GROUPS, id) ?? store.getContactPoint(id);
    if (elsewhere !== undefined && elsewhere.organisationId !== caller.organisation.id) {
      problem(
        'ID',
        'NOT_ALLOWED_VALUE',
        'belongs to another organisation; leave it empty to make a new object',
        cell,
      );
      return null;
    }
    return id;
  }
}

function same(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Problems in the order of their rows (the header's first). */
function sortedByRow(problems: readonly CommandProblem[]): CommandProblem[] {
  const number = (problem: CommandProblem) => Number(problem.resource.replace(/^row /, ''));
  return [...problems].sort((a, b) => number(a) - number(b));
}
