/** Concrete requests for NgDP's path templates, for tests that walk the whole API. */

/** A concrete path for a template: each parameter filled with a value no literal segment has. */
export function samplePath(template: string): string {
  return template.replace(/\{([^}]+)\}/g, (_all, name: string) => `sample-${name}`);
}
