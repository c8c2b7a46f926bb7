/**
 * MIC (Market Identifier Code, ISO 10383) format check. Whether a MIC is actually assigned
 * is answered by the venue registry (`src/venues`), which loads the ISO 10383 list.
 *
 * @module
 */

/**
 * True when `s` has the shape of an ISO 10383 MIC: exactly 4 characters of `[A-Z0-9]`
 * (e.g. `XNAS`, `XETR`, `4AXE`). Says nothing about whether the code is registered.
 */
export function isMicFormat(s: string): boolean {
  return typeof s === 'string' && /^[A-Z0-9]{4}$/.test(s);
}
