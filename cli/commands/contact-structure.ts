/**
 * `digitalpost contact-structure export|import`: an authority's contact structure as CSV
 * (Administrativ Adgang's export and import; docs/cli.md, "Contact structure").
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { type AdminFlags, addAdminOptions, adminConnect, withAdmin } from '../admin-connection.ts';
import { reason, writeFileAtomically } from '../files.ts';
import { CliError, type CliIO, EXIT } from '../io.ts';
import { jsonLine, printable } from '../text.ts';

interface ExportFlags extends AdminFlags {
  output?: string;
}

const EXIT_CODES = '\nExit codes: 0 done, 1 NgDP refused or is unreachable, 2 usage error or not logged in.';

async function exportStructure(flags: ExportFlags, io: CliIO): Promise<number> {
  const connection = await adminConnect(flags, io);
  const organisationId = connection.organisation();
  const csv = await withAdmin(connection, (client) => client.contactStructure.export(organisationId));
  if (flags.output === undefined) {
    io.stdout(flags.json === true ? jsonLine({ organisationId, csv }) : csv);
    return EXIT.ok;
  }
  try {
    await writeFileAtomically(flags.output, csv);
  } catch (error) {
    throw new CliError(`cannot write ${flags.output}: ${reason(error)}`, EXIT.failed);
  }
  const bytes = Buffer.byteLength(csv);
  io.stdout(
    flags.json === true
      ? jsonLine({ organisationId, file: flags.output, bytes })
      : `${printable(`wrote the contact structure to ${flags.output} (${bytes} bytes)`)}\n`,
  );
  return EXIT.ok;
}

async function importStructure(file: string, flags: AdminFlags, io: CliIO): Promise<number> {
  let csv: string;
  try {
    csv = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${reason(error)}`, EXIT.usage, 'FILE_UNREADABLE');
  }
  const connection = await adminConnect(flags, io);
  const organisationId = connection.organisation();
  const result = await withAdmin(connection, (client) => client.contactStructure.import(organisationId, csv));
  io.stdout(
    flags.json === true
      ? jsonLine({ organisationId, ...result })
      : `groups: ${result.groupsCreated} created, ${result.groupsUpdated} updated; points: ${result.pointsCreated} created, ${result.pointsUpdated} updated\n`,
  );
  return EXIT.ok;
}

/** `digitalpost contact-structure …` */
export function registerContactStructureCommands(
  program: Command,
  io: CliIO,
  setExitCode: (code: number) => void,
): void {
  const structure = program
    .command('contact-structure')
    .description("an authority's contact groups and points as CSV (after digitalpost login)");
  addAdminOptions(
    structure
      .command('export')
      .description('print the contact structure as CSV, or write it to a file')
      .option('--output <file>', 'write it to this file instead of stdout')
      .option(
        '--json',
        'one JSON object: {organisationId, csv}, or with --output {organisationId, file, bytes}',
      ),
  )
    .addHelpText('after', EXIT_CODES)
    .action(async (flags: ExportFlags) => setExitCode(await exportStructure(flags, io)));
  addAdminOptions(
    structure
      .command('import')
      .description("create and update contact groups and points from CSV (the export's format)")
      .argument('<file>', 'the CSV file')
      .option(
        '--json',
        'one JSON object: {organisationId, groupsCreated, groupsUpdated, pointsCreated, pointsUpdated}',
      ),
  )
    .addHelpText(
      'after',
      `\nA row at fault refuses the whole import; the error names the rows and fields.${EXIT_CODES}`,
    )
    .action(async (file: string, flags: AdminFlags) => setExitCode(await importStructure(file, flags, io)));
}
