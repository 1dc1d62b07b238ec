/**
 * The recipient-push profile end to end: the suite's NgDP pushes to the reference adapter
 * (examples/conformance-recipient-push.ts) and to deliberately broken ones, over real HTTP on
 * loopback. The specification is shared with recipient-pubsub: test/support/conformance/recipient-e2e.ts.
 */
import { describeRecipientProfile } from '../test/support/conformance/recipient-e2e.ts';

describeRecipientProfile('recipient-push');
