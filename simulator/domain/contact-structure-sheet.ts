/**
 * The contact structure as one sheet (admin.md §2.5; docs/admin.md, "Export and import"): a row per
 * group and per point, with its ID and a `Parent ID` column, in columns that carry every field of
 * a group or point, so that an exported sheet imports back to the same structure. Pure: cells in
 * and out as text; the CSV around them is the adapter's.
 */
import type { ContactGroupRecord, ContactPoint } from './model.ts';

/** The sheet's columns, in the order an export writes them. */
export const SHEET_COLUMNS = [
  'Type',
  'ID',
  'Parent ID',
  'Name',
  'Description',
  'Internal description',
  'Organisational unit',
  'Postkasse IDs',
  'Targets',
  'Visible',
  'Active',
  'System ID',
  'Max size MB',
  'Max attachments',
  'Search terms',
  'Input field 1',
  'Input field 2',
  'Codes',
  'Translations',
  'Link heading',
  'Link description',
  'Link text',
  'Link URL',
] as const;

export type SheetColumn = (typeof SHEET_COLUMNS)[number];

/** A row's cells by column; a column the sheet does not have is absent. */
export type SheetCells = Partial<Record<SheetColumn, string>>;

/** What a row is: `GROUP` or `POINT` (the `Type` column). */
export const ROW_TYPES = ['GROUP', 'POINT'] as const;
export type RowType = (typeof ROW_TYPES)[number];

/** How a cell holds several values (IDs, targets, keywords, translations). */
export const LIST_SEPARATOR = ';';

const list = (values: readonly (string | number)[] | undefined): string =>
  (values ?? []).join(LIST_SEPARATOR);
const flag = (value: boolean): string => (value ? 'true' : 'false');
const number = (value: number | undefined): string => (value === undefined ? '' : String(value));

/** A group's row. */
export function groupRow(group: ContactGroupRecord): SheetCells {
  return {
    Type: 'GROUP',
    ID: group.id,
    'Parent ID': group.parentId ?? '',
    Name: group.name,
    Description: group.description,
    'Organisational unit': flag(group.organisationalUnit),
    'Postkasse IDs': list(group.postkasseIds),
  };
}

/** A point's row: its groups in `Parent ID`. */
export function pointRow(point: ContactPoint): SheetCells {
  const attributes = point.recommendedAttributes ?? [];
  const link = point.reportLink ?? {};
  const codes = point.contactPointCodes ?? [];
  return {
    Type: 'POINT',
    ID: point.id,
    'Parent ID': list(point.contactGroupIds),
    Name: point.name,
    Description: point.description ?? '',
    'Internal description': point.internalDescription ?? '',
    Targets: list(point.targets),
    Visible: flag(point.visible !== false),
    Active: flag(point.active),
    'System ID': point.systemId ?? '',
    'Max size MB': number(point.memoSizeThresholdMB),
    'Max attachments': number(point.allowedNumberOfAttachments),
    'Search terms': list(point.searchTerms),
    'Input field 1': attributes[0] ?? '',
    'Input field 2': attributes[1] ?? '',
    Codes: codes.length === 0 ? '' : JSON.stringify(codes),
    Translations: list(
      (point.translations ?? []).map(({ postkasseId, postkasseEmneId }) =>
        postkasseEmneId === undefined ? String(postkasseId) : `${postkasseId}:${postkasseEmneId}`,
      ),
    ),
    'Link heading': link.label ?? '',
    'Link description': link.description ?? '',
    'Link text': link.externalLinkText ?? '',
    'Link URL': link.externalLink ?? '',
  };
}

/** The values of a list cell; none for an empty one. */
function values(cell: string): string[] {
  return cell
    .split(LIST_SEPARATOR)
    .map((value) => value.trim())
    .filter((value) => value !== '');
}

/** `true`/`false` as booleans; anything else as it is, for the command's reader to refuse. */
function booleanCell(cell: string): unknown {
  const text = cell.trim().toLowerCase();
  if (text === '') return undefined;
  return text === 'true' ? true : text === 'false' ? false : cell;
}

/** A number as a number; anything else as it is, for the command's reader to refuse. */
function numberCell(cell: string): unknown {
  const text = cell.trim();
  if (text === '') return undefined;
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : cell;
}

function textCell(cell: string): string | undefined {
  return cell === '' ? undefined : cell;
}

function codesCell(cell: string): unknown {
  if (cell.trim() === '') return [];
  try {
    return JSON.parse(cell);
  } catch {
    return cell;
  }
}

function translationsCell(cell: string): unknown[] {
  return values(cell).map((value) => {
    const [postkasseId = '', emne] = value.split(':');
    return {
      postkasseId: numberCell(postkasseId),
      ...(emne === undefined ? {} : { postkasseEmneId: numberCell(emne) }),
    };
  });
}

/** Sets `field` of `command` from `column` when the sheet has that column. */
function fromColumn(
  command: Record<string, unknown>,
  cells: SheetCells,
  column: SheetColumn,
  field: string,
  read: (cell: string) => unknown,
): void {
  const cell = cells[column];
  if (cell !== undefined) command[field] = read(cell);
}

/** The `ContactGroupCommand` a group row asks for; a column the sheet lacks keeps `base`'s field. */
export function groupCommandOf(
  cells: SheetCells,
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const command = { ...base };
  fromColumn(command, cells, 'Name', 'name', textCell);
  fromColumn(command, cells, 'Description', 'description', textCell);
  fromColumn(command, cells, 'Organisational unit', 'organisationalUnit', booleanCell);
  fromColumn(command, cells, 'Postkasse IDs', 'postkasseIds', (cell) => values(cell).map(numberCell));
  fromColumn(command, cells, 'Parent ID', 'parent', (cell) =>
    cell.trim() === '' ? undefined : { id: cell.trim() },
  );
  return command;
}

/** The `ContactPointCommand` a point row asks for; a column the sheet lacks keeps `base`'s field. */
export function pointCommandOf(
  cells: SheetCells,
  base: Record<string, unknown> = {},
): Record<string, unknown> {
  const command = { ...base };
  fromColumn(command, cells, 'Name', 'name', textCell);
  fromColumn(command, cells, 'Description', 'description', textCell);
  fromColumn(command, cells, 'Internal description', 'internalDescription', textCell);
  fromColumn(command, cells, 'Parent ID', 'contactGroups', (cell) => values(cell).map((id) => ({ id })));
  fromColumn(command, cells, 'Targets', 'targets', values);
  fromColumn(command, cells, 'Visible', 'visible', booleanCell);
  fromColumn(command, cells, 'Active', 'active', booleanCell);
  fromColumn(command, cells, 'System ID', 'systemId', (cell) => textCell(cell.trim()));
  fromColumn(command, cells, 'Max size MB', 'memoSizeThresholdMB', numberCell);
  fromColumn(command, cells, 'Max attachments', 'allowedNumberOfAttachments', numberCell);
  fromColumn(command, cells, 'Search terms', 'searchTerms', (cell) => values(cell).map((term) => ({ term })));
  fromColumn(command, cells, 'Codes', 'contactPointCodes', codesCell);
  fromColumn(command, cells, 'Translations', 'translations', translationsCell);
  const attributes = (['Input field 1', 'Input field 2'] as const).filter(
    (column) => cells[column] !== undefined,
  );
  if (attributes.length > 0) {
    const kept = (base.recommendedAttributes as { name: string }[] | undefined) ?? [];
    command.recommendedAttributes = (['Input field 1', 'Input field 2'] as const)
      .map((column, index) => (cells[column] === undefined ? kept[index]?.name : cells[column]))
      .filter((name): name is string => name !== undefined && name !== '')
      .map((name) => ({ name }));
  }
  const link = (['Link heading', 'Link description', 'Link text', 'Link URL'] as const).filter(
    (column) => cells[column] !== undefined,
  );
  if (link.length > 0) {
    const given = {
      label: textCell(cells['Link heading'] ?? ''),
      description: textCell(cells['Link description'] ?? ''),
      externalLinkText: textCell(cells['Link text'] ?? ''),
      externalLink: textCell(cells['Link URL'] ?? ''),
    };
    command.reportLink = Object.values(given).some((value) => value !== undefined) ? given : undefined;
  }
  return command;
}

/** A group as the command that would make it (the base a row's columns change). */
export function groupCommand(group: ContactGroupRecord): Record<string, unknown> {
  return {
    name: group.name,
    description: group.description,
    organisationalUnit: group.organisationalUnit,
    postkasseIds: group.postkasseIds,
    ...(group.parentId === undefined ? {} : { parent: { id: group.parentId } }),
  };
}

/** A point as the command that would make it (the base a row's columns change). */
export function pointCommand(point: ContactPoint): Record<string, unknown> {
  return {
    name: point.name,
    description: point.description,
    internalDescription: point.internalDescription,
    targets: point.targets,
    visible: point.visible !== false,
    active: point.active,
    systemId: point.systemId,
    memoSizeThresholdMB: point.memoSizeThresholdMB,
    allowedNumberOfAttachments: point.allowedNumberOfAttachments,
    reportLink: point.reportLink,
    contactGroups: (point.contactGroupIds ?? []).map((id) => ({ id })),
    searchTerms: (point.searchTerms ?? []).map((term) => ({ term })),
    recommendedAttributes: (point.recommendedAttributes ?? []).map((name) => ({ name })),
    contactPointCodes: point.contactPointCodes ?? [],
    translations: point.translations ?? [],
  };
}

/** The columns a command's field comes from. */
const COLUMN_OF_FIELD: Readonly<Record<string, SheetColumn>> = {
  body: 'Type',
  name: 'Name',
  description: 'Description',
  internalDescription: 'Internal description',
  organisationalUnit: 'Organisational unit',
  postkasseIds: 'Postkasse IDs',
  parent: 'Parent ID',
  contactGroups: 'Parent ID',
  targets: 'Targets',
  visible: 'Visible',
  active: 'Active',
  systemId: 'System ID',
  memoSizeThresholdMB: 'Max size MB',
  allowedNumberOfAttachments: 'Max attachments',
  searchTerms: 'Search terms',
  recommendedAttributes: 'Input field 1',
  'recommendedAttributes[1]': 'Input field 2',
  contactPointCodes: 'Codes',
  translations: 'Translations',
  reportLink: 'Link URL',
  'reportLink.label': 'Link heading',
  'reportLink.description': 'Link description',
  'reportLink.externalLinkText': 'Link text',
  'reportLink.externalLink': 'Link URL',
};

/** The column a problem with a command's `field` (`searchTerms[0].term`, `reportLink.label`) is in. */
export function columnOf(field: string): SheetColumn {
  const candidates = [field, field.replace(/\.[^.]+$/, ''), field.replace(/[[.].*$/, '')];
  for (const candidate of candidates) {
    const column = COLUMN_OF_FIELD[candidate];
    if (column !== undefined) return column;
  }
  return 'Type';
}
