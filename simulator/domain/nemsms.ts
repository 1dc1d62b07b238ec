/**
 * NemSMS: NgDP sends no SMS between 18:00 and 08:00 Danish time (Digitaliseringsstyrelsen's guidance
 * for NemSMS); one delivered in those hours is sent at 08:00.
 */
import { addDays, copenhagenDate, copenhagenHour, copenhagenTime } from '../../sdk/ngdp/time.ts';

/** The first Copenhagen hour NgDP sends SMS in. */
export const NEMSMS_FIRST_HOUR = 8;
/** The Copenhagen hour from which NgDP holds SMS back until the next morning. */
export const NEMSMS_QUIET_FROM_HOUR = 18;

/** When an SMS for a NemSMS delivered at `instant` is sent: at once, or at the next 08:00 in Copenhagen. */
export function nemSmsSendingTime(instant: number): number {
  const hour = copenhagenHour(instant);
  if (hour >= NEMSMS_FIRST_HOUR && hour < NEMSMS_QUIET_FROM_HOUR) return instant;
  const today = copenhagenDate(instant);
  return copenhagenTime(hour < NEMSMS_FIRST_HOUR ? today : addDays(today, 1), NEMSMS_FIRST_HOUR);
}
