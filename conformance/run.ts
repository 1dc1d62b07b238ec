/**
 * `runConformance(options)`: checks the options, runs the profile's scenarios that the selected
 * checks need against the vendor's system, and resolves to the report (the JSON report's shape).
 * `listChecks(profile?)`: the catalogue.
 */
import { VERSION } from '../sdk/support/version.ts';
import type { CheckInfo, ConformanceReport, ProfileName } from './model.ts';
import { type ConformanceOptions, settingsOf } from './options.ts';
import { allProfiles, profileOf } from './profiles.ts';
import { summaryOf } from './verdicts.ts';

/**
 * Runs the conformance suite against a vendor's system.
 *
 * @throws InvalidOptionsError for options that are wrong or do not go together (unknown profile,
 *   unknown check ids, `--certify` with a selection, …): nothing ran.
 * @throws ConformanceSetupError when the run could not be set up or driven (the vendor's command
 *   could not start, the suite's NgDP could not start, …).
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const settings = settingsOf(options, { cwd: process.cwd(), env: process.env });
  const profile = profileOf(settings.profile);
  profile.select(settings);
  const startedAt = new Date();
  const checks = await profile.execute(settings);
  return {
    tool: 'digitalpost',
    version: VERSION,
    profile: settings.profile,
    seed: settings.seed,
    certify: settings.certify,
    chaos: settings.chaos,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    summary: summaryOf(checks),
    checks,
  };
}

/** The checks of `profile`, or of every profile, in catalogue order. */
export function listChecks(profile?: ProfileName): CheckInfo[] {
  const profiles = profile === undefined ? allProfiles() : [profileOf(profile)];
  return profiles.flatMap((each) => each.checks.map((check) => ({ ...check })));
}
