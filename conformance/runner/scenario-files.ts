/**
 * What the adapter of a sender profile reads: the letters' files — each main document with bytes
 * unique to its letter and run, which is how the suite ties the MeMos NgDP receives to letters — and
 * the scenario file (conformance.md, "Scenario file").
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { addDays, copenhagenDate } from '../../sdk/ngdp/time.ts';
import { type LetterFile, type ScenarioLetter, sha256 } from '../evidence/sender.ts';
import { type LetterPlan, SCENARIO_SENDER, type SenderScenario } from '../scenarios/sender.ts';

/** What the files are made from: any sender profile's scenario (REST or SFTP). */
export type LettersScenario = Pick<SenderScenario, 'id' | 'letters'>;
const DEFAULT_DOCUMENT_BYTES = 1024;

/** A small PDF-shaped document of about `size` bytes, naming the run, scenario and letter. */
function documentBytes(runId: string, scenario: string, ref: string, size: number): Buffer {
  const head = `%PDF-1.4\n% digitalpost conformance: run ${runId}, scenario ${scenario}, letter ${ref}\n`;
  const tail = '%%EOF\n';
  const line = `% ${ref} ${'0123456789abcdef'.repeat(4)}\n`;
  const room = Math.max(0, size - head.length - tail.length);
  return Buffer.from(head + line.repeat(Math.ceil(room / line.length)).slice(0, room) + tail);
}

/** `size` bytes that look random, from the run, scenario and letter: an upload no compression shrinks. */
function noiseBytes(runId: string, scenario: string, ref: string, size: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * 32 < size; counter++)
    blocks.push(createHash('sha256').update(`${runId} ${scenario} ${ref} ${counter}`).digest());
  return Buffer.concat(blocks).subarray(0, size);
}

function attachmentBytes(runId: string, scenario: string, ref: string, index: number): Buffer {
  return Buffer.from(`bilag;run;scenario;brev\n${index};${runId};${scenario};${ref}\n`);
}

async function writeFileOf(dir: string, filename: string, bytes: Buffer): Promise<LetterFile> {
  const path = join(dir, filename);
  await writeFile(path, bytes);
  return { filename, path, sha256: sha256(bytes) };
}

async function letterOf(
  dir: string,
  runId: string,
  scenario: string,
  plan: LetterPlan,
  today: number,
): Promise<ScenarioLetter> {
  const document = await writeFileOf(
    dir,
    `Brev-${plan.ref}.pdf`,
    (plan.incompressible === true ? noiseBytes : documentBytes)(
      runId,
      scenario,
      plan.ref,
      plan.documentBytes ?? DEFAULT_DOCUMENT_BYTES,
    ),
  );
  const attachments: LetterFile[] = [];
  for (let index = 1; index <= (plan.attachments ?? 0); index++)
    attachments.push(
      await writeFileOf(
        dir,
        `Bilag-${plan.ref}-${index}.csv`,
        attachmentBytes(runId, scenario, plan.ref, index),
      ),
    );
  const recipient =
    'cpr' in plan.recipient
      ? { idType: 'CPR' as const, id: plan.recipient.cpr }
      : { idType: 'CVR' as const, id: plan.recipient.cvr };
  return {
    ref: plan.ref,
    recipient,
    label: plan.label,
    ...(plan.valueDateInDays === undefined
      ? {}
      : { valueDate: addDays(copenhagenDate(today), plan.valueDateInDays) }),
    recall: plan.recall === true,
    arrives: plan.arrives !== false,
    ...(plan.errorCode === undefined ? {} : { errorCode: plan.errorCode }),
    document,
    attachments,
  };
}

/** The scenario file's JSON for `letters`. */
export function scenarioFileOf(
  scenario: LettersScenario,
  letters: readonly ScenarioLetter[],
  deadlineMs: number,
): unknown {
  return {
    scenario: scenario.id,
    sender: { ...SCENARIO_SENDER },
    letters: letters.map((letter) => ({
      ref: letter.ref,
      recipient:
        letter.recipient.idType === 'CPR' ? { cpr: letter.recipient.id } : { cvr: letter.recipient.id },
      label: letter.label,
      document: { filename: letter.document.filename, path: letter.document.path },
      ...(letter.attachments.length === 0
        ? {}
        : { attachments: letter.attachments.map(({ filename, path }) => ({ filename, path })) }),
      ...(letter.valueDate === undefined ? {} : { valueDate: letter.valueDate }),
      ...(letter.recall ? { recall: true } : {}),
    })),
    deadlineMs,
  };
}

/**
 * Writes a scenario's letters and its scenario file into `dir`. Value dates count from `today`
 * (the simulator's time, ms), as Danish dates.
 */
export async function writeScenario(options: {
  dir: string;
  runId: string;
  scenario: LettersScenario;
  today: number;
  deadlineMs: number;
}): Promise<{ letters: ScenarioLetter[]; scenarioPath: string; reportPath: string }> {
  const { dir, runId, scenario, today, deadlineMs } = options;
  await mkdir(dir, { recursive: true });
  const letters: ScenarioLetter[] = [];
  for (const plan of scenario.letters) letters.push(await letterOf(dir, runId, scenario.id, plan, today));
  const scenarioPath = join(dir, 'scenario.json');
  await writeFile(
    scenarioPath,
    `${JSON.stringify(scenarioFileOf(scenario, letters, deadlineMs), null, 2)}\n`,
  );
  const reportPath = join(dir, 'report.jsonl');
  await writeFile(reportPath, '');
  return { letters, scenarioPath, reportPath };
}
