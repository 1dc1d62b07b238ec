/**
 * `node --import ./hide-msw.ts`: makes `msw` unresolvable in this process, as in a project that
 * never installed it (it is an optional peer dependency of digitalpost/testing).
 */
import { registerHooks } from 'node:module';

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === 'msw' || specifier.startsWith('msw/')) {
      throw Object.assign(new Error(`Cannot find package '${specifier}'`), { code: 'ERR_MODULE_NOT_FOUND' });
    }
    return nextResolve(specifier, context);
  },
});
