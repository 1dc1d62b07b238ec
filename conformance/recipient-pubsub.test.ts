/**
 * The recipient-pubsub profile end to end: the suite's NgDP notifies the reference adapter
 * (examples/conformance-recipient-pubsub.ts) and deliberately broken ones, over real HTTP on
 * loopback, and serves the MeMos they fetch. The specification is shared with recipient-push:
 * test/support/conformance/recipient-e2e.ts.
 */
import { describeRecipientProfile } from '../test/support/conformance/recipient-e2e.ts';

describeRecipientProfile('recipient-pubsub');
