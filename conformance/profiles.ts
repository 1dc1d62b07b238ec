/**
 * Every profile of the suite. The sender and recipient profiles are complete; sender-sftp is named
 * (the command line accepts it) and refuses to run until its checks and scenarios are written. Adding a profile:
 * its check ids, checks, scenarios and session, bound with `defineProfile` — see docs/conformance.md.
 */
import { ConformanceSetupError } from '../sdk/errors.ts';
import { receiverChecks } from './checks/receiver/index.ts';
import { RECIPIENT_PULL_CHECKS } from './checks/recipient-pull/index.ts';
import { SENDER_CHECKS } from './checks/sender/index.ts';
import { PROFILE_NAMES, type ProfileName } from './model.ts';
import { defineProfile, type Profile } from './profile.ts';
import { receiverSessionOf } from './runner/receiver-session.ts';
import { openPullSession } from './runner/recipient-pull-session.ts';
import { openSenderSession } from './runner/sender-session.ts';
import { receiverScenarios } from './scenarios/receiver.ts';
import { RECIPIENT_PULL_SCENARIOS } from './scenarios/recipient-pull.ts';
import { SENDER_SCENARIOS } from './scenarios/sender.ts';
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
  'sender-sftp': notYet('sender-sftp', 'a sender system mass-sending over SFTP'),
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
