/** The current time. Injected everywhere, so that offline evaluation can be tested at any instant. */
export type Clock = () => Date;

/**
 * The machine's clock.
 *
 * @example
 * ```ts
 * const fixed: Clock = () => new Date('2026-03-01T12:00:00Z'); // in a test, instead of systemClock
 * ```
 */
export const systemClock: Clock = () => new Date();
