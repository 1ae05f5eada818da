/**
 * Product versions as installations report them: dotted numbers with semver-style suffixes.
 *
 * - Release numbers compare component by component, numerically: `4.10.0` > `4.6.0`.
 *   Missing components count as zero (`4.6` == `4.6.0`), and leading zeros do not matter (`4.06` == `4.6`).
 * - A pre-release suffix (`4.6.0-beta.2`) sorts before its release, as in semver: a beta of the minimum
 *   version is not yet the minimum. Pre-releases compare identifier by identifier (numbers numerically,
 *   numbers before words, a shorter list first when one is a prefix of the other).
 * - Build metadata (`+build.7`) and a leading `v` are ignored.
 * Anything else (empty, words, `4..6`) does not parse.
 */

export interface Version {
  /** Numeric release components without leading zeros or trailing zero components, e.g. `['4', '6']`. */
  readonly release: readonly string[];
  /** Pre-release identifiers; empty for a release. */
  readonly preRelease: readonly string[];
}

const versionPattern = /^v?(\d+(?:\.\d+)*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;
const numeric = /^\d+$/;

const withoutLeadingZeros = (digits: string): string => digits.replace(/^0+(?=\d)/, '');

export function parseVersion(text: string): Version | undefined {
  const match = versionPattern.exec(text);
  if (!match?.[1]) return undefined;
  const release = match[1].split('.').map(withoutLeadingZeros);
  while (release.length > 1 && release.at(-1) === '0') release.pop();
  return { release, preRelease: match[2]?.split('.') ?? [] };
}

// Digit strings of any length compare exactly: the longer one (without leading zeros) is larger.
function compareDigits(a: string, b: string): number {
  const a0 = withoutLeadingZeros(a);
  const b0 = withoutLeadingZeros(b);
  if (a0.length !== b0.length) return Math.sign(a0.length - b0.length);
  return a0 < b0 ? -1 : a0 > b0 ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const aIsNumber = numeric.test(a);
  const bIsNumber = numeric.test(b);
  if (aIsNumber && bIsNumber) return compareDigits(a, b);
  if (aIsNumber !== bIsNumber) return aIsNumber ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: readonly string[], b: readonly string[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index += 1) {
    const order = compareDigits(a[index] ?? '0', b[index] ?? '0');
    if (order !== 0) return order;
  }
  return 0;
}

function comparePreRelease(a: readonly string[], b: readonly string[]): number {
  // A release (no identifiers) is newer than any of its pre-releases.
  if (a.length === 0 || b.length === 0) return Math.sign(b.length - a.length);
  for (const [index, identifier] of a.entries()) {
    const other = b[index];
    if (other === undefined) return 1;
    const order = compareIdentifiers(identifier, other);
    if (order !== 0) return order;
  }
  return b.length > a.length ? -1 : 0;
}

function compareParsed(a: Version, b: Version): number {
  return compareRelease(a.release, b.release) || comparePreRelease(a.preRelease, b.preRelease);
}

/** -1, 0 or 1 as `a` is older than, the same as, or newer than `b`. Throws a TypeError when either does not parse. */
export function compareVersions(a: string, b: string): -1 | 0 | 1 {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (!left || !right) throw new TypeError(`cannot compare versions "${a}" and "${b}"`);
  return Math.sign(compareParsed(left, right)) as -1 | 0 | 1;
}

/**
 * Whether a reported version is older than a product's minimum. A version that does not parse counts as
 * older, so the installation gets the warning rather than silent support. `minimum` comes from the
 * catalog, whose schema checks that it parses.
 */
export function isBelowMinimum(reported: string, minimum: string): boolean {
  const version = parseVersion(reported);
  const floor = parseVersion(minimum);
  if (!floor) throw new TypeError(`the minimum version "${minimum}" does not parse`);
  return !version || compareParsed(version, floor) < 0;
}
