import { randomBytes } from 'node:crypto';
import { licenseKeyAlphabet as alphabet } from '@license-activation/contract/fields';
import { toBase32 } from '@license-activation/contract/license-keys';

export { licenseIdOf } from '@license-activation/contract/license-keys';

const symbolValue = new Map([...alphabet].map((symbol, value) => [symbol, value]));

const payloadLength = 24;
const groupLength = 5;

/**
 * Luhn mod N (N = 32) over the payload: it catches every single-character mistake and almost every
 * swap of neighbours, which are the typing errors people make.
 */
function checkSymbol(payload: string): string {
  let factor = 2;
  let sum = 0;
  for (let index = payload.length - 1; index >= 0; index -= 1) {
    const addend = factor * (symbolValue.get(payload[index] as string) ?? 0);
    sum += Math.floor(addend / 32) + (addend % 32);
    factor = factor === 2 ? 1 : 2;
  }
  return alphabet[(32 - (sum % 32)) % 32] as string;
}

/** A new license key: 120 random bits and a check symbol, `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`. */
export function generateLicenseKey(): string {
  const payload = toBase32(randomBytes(15), payloadLength);
  const key = payload + checkSymbol(payload);
  return Array.from({ length: key.length / groupLength }, (_, group) => key.slice(group * groupLength, (group + 1) * groupLength)).join('-');
}

/**
 * The canonical form of a key as typed (any case, dashes anywhere, surrounding spaces), or
 * undefined when it cannot be a key: wrong length, a symbol outside the alphabet, or a wrong check.
 */
export function normalizeLicenseKey(typed: string): string | undefined {
  const compact = typed.trim().replaceAll('-', '').toUpperCase();
  if (compact.length !== payloadLength + 1) return undefined;
  if (![...compact].every((symbol) => symbolValue.has(symbol))) return undefined;
  const payload = compact.slice(0, payloadLength);
  return compact.at(-1) === checkSymbol(payload) ? compact : undefined;
}

/** The first group of a key: shown to people so they can tell their keys apart. */
export function keyPrefixOf(normalizedKey: string): string {
  return normalizedKey.slice(0, groupLength);
}
