/**
 * Every profile of the suite. The sender and sender-sftp profiles are complete; the others are named (the command line
 * accepts them) and refuse to run until their checks and scenarios are written. Adding a profile:
 * its check ids, checks, scenarios and session, bound with `defineProfile` — see docs/conformance.md.
 */
import { ConformanceSetupError } from '../sdk/errors.ts';
import { SENDER_CHECKS } from './checks/sender/index.ts';
import { SFTP_CHECKS } from './checks/sender-sftp/index.ts';
import { PROFILE_NAMES, type ProfileName } from './model.ts';
import { defineProfile, type Profile } from './profile.ts';
import { openSenderSession } from './runner/sender-session.ts';
import { openSftpSession } from './runner/sender-sftp-session.ts';
import { SENDER_SCENARIOS } from './scenarios/sender.ts';
import { SFTP_SCENARIOS } from './scenarios/sender-sftp.ts';
import { selectChecks } from './selection.ts';

const sender = defineProfile({
  name: 'sender',
  summary:
    'a sender system over REST, receipts by PULL or PUSH; the suite hands it letters and loses answers, answers 503, delays and refuses receipts',
  checks: SENDER_CHECKS,
  scenarios: SENDER_SCENARIOS,
  plays: (scenario, settings) => scenario.receipts === undefined || scenario.receipts === settings.receipts,
  open: openSenderSession,
});

const senderSftp = defineProfile({
  name: 'sender-sftp',
  summary:
    'a sender system mass-sending over SFTP; the suite hands it letters, drops its connections, loses rename answers, refuses writes and renames, leaves error files',
  checks: SFTP_CHECKS,
  scenarios: SFTP_SCENARIOS,
  open: openSftpSession,
});

/** A profile whose checks are not written yet: listed with no checks, refused by `run`. */
function notYet(name: ProfileName, summary: string): Profile {
  return {
    name,
    summary,
    checks: [],
    select: (settings) => selectChecks([], settings),
    execute: () =>
      Promise.reject(
        new ConformanceSetupError(
          `the ${name} profile has no checks yet: it is not part of this version of the suite`,
        ),
      ),
  };
}

const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  sender,
  'sender-sftp': senderSftp,
  'recipient-pull': notYet('recipient-pull', 'a recipient system fetching MeMos by REST PULL'),
  'recipient-push': notYet('recipient-push', 'a recipient system whose HTTP endpoint NgDP pushes MeMos to'),
  'recipient-pubsub': notYet('recipient-pubsub', 'a recipient system notified by publish/subscribe'),
};

/** The profile named `name`. */
export function profileOf(name: ProfileName): Profile {
  return PROFILES[name];
}

/** Every profile, in the order of {@link PROFILE_NAMES}. */
export function allProfiles(): Profile[] {
  return PROFILE_NAMES.map((name) => PROFILES[name]);
}
