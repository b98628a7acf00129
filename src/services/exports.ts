// The classic Internet services as a library: one module per service, plus the catalog that
// starts any of them on TCP or UDP.

export { SERVICE_NAMES, type ServiceName, servicesCatalog, startService } from './catalog.js';
export * as chargen from './chargen.js';
export * as daytime from './daytime.js';
export * as discard from './discard.js';
export * as echo from './echo.js';
export * as finger from './finger.js';
export * as qotd from './qotd.js';
export * as time from './time.js';
export * as users from './users.js';
export * as utmp from './utmp.js';
