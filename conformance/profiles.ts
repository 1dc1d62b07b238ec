/**
 * Every profile of the suite, each complete. Adding a profile:
 * its check ids, checks, scenarios and session, bound with `defineProfile` — see docs/conformance.md.
 */
import { receiverChecks } from './checks/receiver/index.ts';
import { RECIPIENT_PULL_CHECKS } from './checks/recipient-pull/index.ts';
import { SENDER_CHECKS } from './checks/sender/index.ts';
import { SFTP_CHECKS } from './checks/sender-sftp/index.ts';
import { PROFILE_NAMES, type ProfileName } from './model.ts';
import { defineProfile, type Profile } from './profile.ts';
import { receiverSessionOf } from './runner/receiver-session.ts';
import { openPullSession } from './runner/recipient-pull-session.ts';
import { openSenderSession } from './runner/sender-session.ts';
import { openSftpSession } from './runner/sender-sftp-session.ts';
import { receiverScenarios } from './scenarios/receiver.ts';
import { RECIPIENT_PULL_SCENARIOS } from './scenarios/recipient-pull.ts';
import { SENDER_SCENARIOS } from './scenarios/sender.ts';
import { SFTP_SCENARIOS } from './scenarios/sender-sftp.ts';

const sender = defineProfile({
  name: 'sender',
  summary:
    'a sender system over REST, receipts by PULL or PUSH; the suite hands it letters and loses answers, answers 503, delays and refuses receipts',
  checks: SENDER_CHECKS,
  scenarios: SENDER_SCENARIOS,
  plays: (scenario, settings) => scenario.receipts === undefined || scenario.receipts === settings.receipts,
  open: openSenderSession,
});

const recipientPush = defineProfile({
  name: 'recipient-push',
  summary:
    'a recipient system whose HTTP endpoint NgDP pushes MeMos to; the suite pushes small, large and invalid MeMos, pushes some again, refuses receipts and sends the endpoint garbage',
  checks: receiverChecks('recipient-push'),
  scenarios: receiverScenarios('recipient-push'),
  open: receiverSessionOf('recipient-push'),
});

const recipientPubsub = defineProfile({
  name: 'recipient-pubsub',
  summary:
    'a recipient system notified by publish/subscribe that fetches its MeMos; the suite notifies of small, large and invalid MeMos, notifies again, refuses receipts and sends the endpoint garbage',
  checks: receiverChecks('recipient-pubsub'),
  scenarios: receiverScenarios('recipient-pubsub'),
  open: receiverSessionOf('recipient-pubsub'),
});

const recipientPull = defineProfile({
  name: 'recipient-pull',
  summary:
    'a recipient system fetching MeMos by REST PULL; the suite fills its queue (every MeMo feature, 50 MB, invalid MeMos) and cuts answers, answers 503, goes quiet',
  checks: RECIPIENT_PULL_CHECKS,
  scenarios: RECIPIENT_PULL_SCENARIOS,
  open: openPullSession,
});

const senderSftp = defineProfile({
  name: 'sender-sftp',
  summary:
    'a sender system mass-sending over SFTP; the suite hands it letters, drops its connections, loses rename answers, refuses writes and renames, leaves error files',
  checks: SFTP_CHECKS,
  scenarios: SFTP_SCENARIOS,
  open: openSftpSession,
});

const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  sender,
  'sender-sftp': senderSftp,
  'recipient-pull': recipientPull,
  'recipient-push': recipientPush,
  'recipient-pubsub': recipientPubsub,
};

/** The profile named `name`. */
export function profileOf(name: ProfileName): Profile {
  return PROFILES[name];
}

/** Every profile, in the order of {@link PROFILE_NAMES}. */
export function allProfiles(): Profile[] {
  return PROFILE_NAMES.map((name) => PROFILES[name]);
}
