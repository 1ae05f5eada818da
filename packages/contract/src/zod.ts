import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * The zod that builds the schemas functions load at init: `zod/mini`, whose core costs half of
 * classic zod's at a cold start (docs/PERFORMANCE.md). Mini ships without messages, and the
 * contract's `errors[].message` are zod's English ones, so they are configured here, once, by the
 * module every such schema is built with (eslint forbids importing `zod/mini` anywhere else).
 */
config(en());

export * from 'zod/mini';
