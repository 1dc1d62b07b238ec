/**
 * A run of the recipient-pull profile: the vendor's system is the company's REST_PULL recipient
 * system; its adapter runs once for the whole run (`--run`) or the vendor's system runs by itself
 * (`--wait`), and the scenarios fill its queue one after another (runner/recipient-session.ts).
 */
import { InvalidOptionsError } from '../../sdk/errors.ts';
import type { RunSettings } from '../options.ts';
import type { ProfileSession } from '../profile.ts';
import type { PullObservation, PullScenario } from '../scenarios/recipient-pull.ts';
import { RecipientRun, workFolder } from './recipient-session.ts';

/** What the recipient-pull profile needs of the options. @throws InvalidOptionsError */
function checkPullSettings(settings: RunSettings): void {
  if (settings.endpoint !== undefined)
    throw new InvalidOptionsError(
      '--endpoint is for the recipient-push and recipient-pubsub profiles; recipient-pull takes --run or --wait',
    );
  if (settings.run === undefined && !settings.wait)
    throw new InvalidOptionsError('the recipient-pull profile needs --run "COMMAND" or --wait');
  if (settings.receipts !== 'pull' || settings.receiptEndpoint !== undefined)
    throw new InvalidOptionsError('--receipts and --receipt-endpoint are for the sender profile');
  if (settings.sshPublicKey !== undefined)
    throw new InvalidOptionsError('--ssh-public-key is for the sender-sftp profile');
}

/** Opens a recipient-pull run. */
export async function openPullSession(
  settings: RunSettings,
): Promise<ProfileSession<PullScenario, PullObservation>> {
  checkPullSettings(settings);
  const work = await workFolder(settings);
  let run: RecipientRun;
  try {
    run = await RecipientRun.open(settings, { protocol: 'REST_PULL' }, work.dir);
  } catch (error) {
    await work.remove();
    throw error;
  }
  return {
    play: (scenario) => run.play(scenario),
    unjudged: (id) =>
      id === 'recipient-pull.adapter.keeps-running'
        ? 'judged only when the suite runs the adapter (--run)'
        : 'nothing in this run gave it occasion (no scenario that judges it met what it looks at)',
    async close() {
      try {
        await run.close();
      } finally {
        await work.remove();
      }
    },
  };
}
