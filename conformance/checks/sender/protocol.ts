/** The adapter and its report: the suite's protocol, without which nothing else can be judged. */

import type { SenderObservation } from '../../evidence/sender.ts';
import type { Check } from '../../model.ts';
import {
  adapterExitZero,
  adapterWithinDeadline,
  reportEveryLetter,
  reportMessageUuid,
  reportWellFormed,
} from '../shared/protocol.ts';
import { CLAUSES, senderCheck } from './support.ts';

export const protocolChecks: Check<SenderObservation>[] = [
  senderCheck(
    'sender.adapter.exit-zero',
    'MUST',
    'The adapter command exits with status 0 when it has done what its system would do',
    CLAUSES.protocol,
    adapterExitZero,
  ),
  senderCheck(
    'sender.adapter.within-deadline',
    'MUST',
    'The adapter command finishes before the scenario’s deadline',
    CLAUSES.protocol,
    adapterWithinDeadline,
  ),
  senderCheck(
    'sender.report.well-formed',
    'MUST',
    'Every line of the vendor report is one JSON object naming a letter of the scenario and an outcome of the protocol',
    CLAUSES.protocol,
    reportWellFormed,
  ),
  senderCheck(
    'sender.report.every-letter',
    'MUST',
    'Every letter of the scenario is reported exactly once',
    CLAUSES.protocol,
    reportEveryLetter,
  ),
  senderCheck(
    'sender.report.message-uuid',
    'MUST',
    'The messageUUID reported for a letter is the one NgDP holds it under (null only when NgDP holds none)',
    CLAUSES.protocol,
    reportMessageUuid,
  ),
];
