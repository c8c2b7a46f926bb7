/**
 * Security identifier validation with the published check-digit algorithms:
 * ISIN (ISO 6166), CUSIP (CUSIP Global Services modulus 10 double-add-double), SEDOL (LSE,
 * weights 1-3-1-7-3-9), OCC option symbols (OCC OSI 21-character format) and the MIC shape
 * (ISO 10383).
 *
 * Every `check*` function returns its input unchanged when it is valid and otherwise throws a
 * {@link ValidationError} with code `InvalidIdentifier`, whose message says what is wrong.
 * Validators are case-sensitive (upper case); callers that accept lower case upper-case first.
 *
 * @module
 */
export { isinCheckDigit, isValidIsin, checkIsin } from './isin.js';
export { cusipCheckDigit, isValidCusip, checkCusip, cusipToIsin } from './cusip.js';
export { sedolCheckDigit, isValidSedol, checkSedol } from './sedol.js';
export { parseOccSymbol, formatOccSymbol } from './occ.js';
export type { OccOption, OccExpiry } from './occ.js';
export { isMicFormat } from './mic.js';
