import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { dataDir } from '../src/config.js';
import { RegistryError, ValidationError } from '../src/errors.js';
import {
  checkCusip,
  checkIsin,
  checkSedol,
  cusipCheckDigit,
  cusipToIsin,
  formatOccSymbol,
  isinCheckDigit,
  isMicFormat,
  isValidCusip,
  isValidIsin,
  isValidSedol,
  parseOccSymbol,
  sedolCheckDigit,
} from '../src/identifiers/index.js';
import { fixed, parseFixed } from '../src/model/fixed.js';

const DATA = dataDir();

/** Expect `fn` to throw a ValidationError InvalidIdentifier on `field` whose message matches `re`. */
function expectInvalid(fn: () => unknown, field: string, re: RegExp): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ValidationError);
  const v = err as ValidationError;
  expect(v).toBeInstanceOf(RegistryError);
  expect(v.code).toBe('InvalidIdentifier');
  expect(v.field).toBe(field);
  expect(v.message).toMatch(re);
}

// ---------------------------------------------------------------------------------------------
// Tiny independent reference implementations (written differently from src on purpose:
// ISIN via "odd/even position groups of the expanded string", CUSIP via string digit sums).
// ---------------------------------------------------------------------------------------------
function refIsinValid(s: string): boolean {
  if (!/^[A-Z]{2}[A-Z0-9]{9}[0-9]$/.test(s)) return false;
  const digits = [...s].map((c) => parseInt(c, 36).toString()).join('');
  // Luhn: from the right, the 2nd, 4th, … digits are doubled and their digits summed.
  const total = [...digits]
    .reverse()
    .map(Number)
    .reduce((acc, d, i) => acc + (i % 2 === 1 ? [...String(d * 2)].reduce((a, x) => a + Number(x), 0) : d), 0);
  return total % 10 === 0;
}
function refCusipValid(s: string): boolean {
  if (!/^[0-9A-Z*@#]{8}[0-9]$/.test(s)) return false;
  const val = (c: string): number => ('*@#'.includes(c) ? 36 + '*@#'.indexOf(c) : parseInt(c, 36));
  const sum = [...s.slice(0, 8)]
    .map((c, i) => String(val(c) * (i % 2 === 1 ? 2 : 1)))
    .join('')
    .split('')
    .reduce((a, x) => a + Number(x), 0);
  return (10 - (sum % 10)) % 10 === Number(s[8]);
}
function refSedolValid(s: string): boolean {
  if (!/^[0-9BCDFGHJKLMNPQRSTVWXYZ]{6}[0-9]$/.test(s)) return false;
  const w = [1, 3, 1, 7, 3, 9, 1];
  return [...s].reduce((a, c, i) => a + parseInt(c, 36) * w[i]!, 0) % 10 === 0;
}

describe('ISIN (ISO 6166)', () => {
  it('accepts published examples', () => {
    for (const s of ['US0378331005', 'AU0000XVGZA3', 'AU0000VXGZA3', 'GB0002634946', 'FR0000988040', 'US5949181045', 'DE0007164600']) {
      expect(isValidIsin(s), s).toBe(true);
      expect(checkIsin(s)).toBe(s);
      expect(isinCheckDigit(s.slice(0, 11))).toBe(Number(s[11]));
    }
  });

  it('computes check digits of published examples', () => {
    expect(isinCheckDigit('US037833100')).toBe(5);
    expect(isinCheckDigit('AU0000XVGZA')).toBe(3);
    expect(isinCheckDigit('GB000263494')).toBe(6);
  });

  it('rejects a flipped digit, a transposition, bad length, charset and country prefix, with reasons', () => {
    expect(isValidIsin('US0378331006')).toBe(false);
    expectInvalid(() => checkIsin('US0378331006'), 'isin', /expected 5, got 6/);
    expect(isValidIsin('US0373831005')).toBe(false); // transposed 78 → 73… (Rosetta Code example)
    expectInvalid(() => checkIsin('US0373831005'), 'isin', /check digit/);
    expectInvalid(() => checkIsin('US03378331005'), 'isin', /length 13, expected 12/);
    expectInvalid(() => checkIsin('US037833100'), 'isin', /length 11/);
    expectInvalid(() => checkIsin('U50378331005'), 'isin', /country prefix/);
    expectInvalid(() => checkIsin('US037833-005'), 'isin', /invalid character "-" at position 9/);
    expectInvalid(() => checkIsin('us0378331005', 'legs[0].isin'), 'legs[0].isin', /invalid character "u"/);
    expectInvalid(() => checkIsin('US037833100X'), 'isin', /check digit must be a digit/);
    expectInvalid(() => isinCheckDigit('US03783310'), 'isin', /length 10, expected 11/);
    expect(isValidIsin('')).toBe(false);
  });

  it('detects every single-digit substitution of a valid ISIN', () => {
    const good = 'US0378331005';
    for (let i = 2; i < 12; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === good[i]) continue;
        const bad = good.slice(0, i) + d + good.slice(i + 1);
        expect(isValidIsin(bad), bad).toBe(false);
      }
    }
  });

  it('agrees with the reference implementation on random and mutated inputs', () => {
    const alnum = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    let seed = 12345;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let valid = 0;
    for (let k = 0; k < 5000; k++) {
      let s = String.fromCharCode(65 + rnd(26), 65 + rnd(26));
      for (let i = 0; i < 9; i++) s += alnum[rnd(36)];
      s += String(rnd(10));
      const ref = refIsinValid(s);
      if (ref) valid++;
      expect(isValidIsin(s), s).toBe(ref);
      if (ref) expect(isinCheckDigit(s.slice(0, 11))).toBe(Number(s[11]));
    }
    // About a tenth of random strings carry the right check digit; both branches were exercised.
    expect(valid).toBeGreaterThan(300);
    expect(valid).toBeLessThan(700);
  });
});

describe('CUSIP', () => {
  it('accepts published examples and computes their check digits', () => {
    for (const s of ['037833100', '38259P508', '594918104', '17275R102', '68389X105']) {
      expect(isValidCusip(s), s).toBe(true);
      expect(checkCusip(s)).toBe(s);
      expect(cusipCheckDigit(s.slice(0, 8))).toBe(Number(s[8]));
    }
  });

  it('handles the private-placement characters * @ # (values 36, 37, 38)', () => {
    // Hand computation: values 0,0,0,0,0,0,0,36|37|38 at position 8 (doubled): 72→7+2=9 → 1; 74→11 → 9; 76→13 → 7.
    expect(cusipCheckDigit('0000000*')).toBe(1);
    expect(cusipCheckDigit('0000000@')).toBe(9);
    expect(cusipCheckDigit('0000000#')).toBe(7);
    expect(isValidCusip('0000000*1')).toBe(true);
    // Position 7 is not doubled: 36 → 3+6 = 9 → check 1.
    expect(cusipCheckDigit('000000*0')).toBe(1);
  });

  it('rejects invalid ones with reasons', () => {
    expect(isValidCusip('68389X106')).toBe(false);
    expectInvalid(() => checkCusip('68389X106'), 'cusip', /expected 5, got 6/);
    expectInvalid(() => checkCusip('03783310'), 'cusip', /length 8, expected 9/);
    expectInvalid(() => checkCusip('0378331-0'), 'cusip', /invalid character "-" at position 8/);
    expectInvalid(() => checkCusip('03783310A'), 'cusip', /check digit must be a digit/);
    expectInvalid(() => checkCusip('38259p508', 'cusip2'), 'cusip2', /invalid character "p"/);
  });

  it('derives ISINs from CUSIPs', () => {
    expect(cusipToIsin('037833100')).toBe('US0378331005');
    expect(cusipToIsin('38259P508')).toBe('US38259P5089');
    expectInvalid(() => cusipToIsin('037833101'), 'cusip', /check digit/);
    expectInvalid(() => cusipToIsin('037833100', 'us'), 'country', /two letters/);
    expectInvalid(() => cusipToIsin('0000000*1'), 'cusip', /private-placement/);
  });
});

describe('SEDOL', () => {
  it('accepts published examples and computes their check digits', () => {
    // BAE Systems, and the Rosetta Code "SEDOLs" task list.
    const all = ['0263494', '7108899', 'B0YBKJ7', '4065663', 'B0YBLH2', '2282765', 'B0YBKL9', '5579107', 'B0YBKR5', '5852842', 'B0YBKT7', 'B000300'];
    for (const s of all) {
      expect(isValidSedol(s), s).toBe(true);
      expect(checkSedol(s)).toBe(s);
      expect(sedolCheckDigit(s.slice(0, 6))).toBe(Number(s[6]));
    }
  });

  it('rejects invalid ones with reasons', () => {
    expect(isValidSedol('0263495')).toBe(false);
    expectInvalid(() => checkSedol('0263495'), 'sedol', /expected 4, got 5/);
    expectInvalid(() => checkSedol('A0YBKJ7'), 'sedol', /vowels are not used/);
    expectInvalid(() => checkSedol('B0YBKJ'), 'sedol', /length 6, expected 7/);
    expectInvalid(() => checkSedol('B0YBKJX'), 'sedol', /check digit must be a digit/);
    expectInvalid(() => sedolCheckDigit('B0YBK'), 'sedol', /length 5/);
  });
});

// ---------------------------------------------------------------------------------------------
// Real vendor files
// ---------------------------------------------------------------------------------------------
type Row = Record<string, string>;

function ishares(): Row[] {
  const text = readFileSync(join(DATA, 'ishares_IWV_holdings_2021-01.csv'), 'utf8');
  const rows = parse(text, { bom: true, columns: true, relax_column_count: true, skip_empty_lines: true }) as Row[];
  // The file ends with a line holding only a no-break space: a one-column record with no ISIN column.
  return rows.filter((r) => r['ISIN'] !== undefined);
}

function xetra(): Row[] {
  const text = readFileSync(join(DATA, 'xetra_t7-xetr-allTradableInstruments_2019-11-08.csv'), 'utf8');
  // Two preamble lines ("Market:;XETR", "Date Last Update:;08.11.2019"), then the header.
  return parse(text, { delimiter: ';', from_line: 3, columns: true, skip_empty_lines: true }) as Row[];
}

describe('real data: iShares IWV holdings (2021-01)', () => {
  const rows = ishares();

  it('has the documented row count and header', () => {
    expect(rows.length).toBe(2859);
    expect(Object.keys(rows[0]!)).toEqual(expect.arrayContaining(['Ticker', 'CUSIP', 'ISIN', 'SEDOL']));
    expect(rows[0]).toMatchObject({ Ticker: 'AAPL', CUSIP: '037833100', ISIN: 'US0378331005', SEDOL: '2046251' });
  });

  it('every ISIN agrees with the reference implementation; every well-formed one is valid', () => {
    const isins = rows.map((r) => r['ISIN']!).filter((s) => s !== '-');
    const refValid = isins.filter(refIsinValid).length;
    const ours = isins.filter(isValidIsin).length;
    for (const s of isins) expect(isValidIsin(s), s).toBe(refIsinValid(s));
    expect(ours).toBe(refValid);
    // Real ISINs are issued with correct check digits: every one of the right shape must pass.
    const wellFormed = isins.filter((s) => /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/.test(s));
    expect(wellFormed.length).toBe(isins.length);
    expect(ours).toBe(wellFormed.length);
    expect(ours).toBe(2853); // 2859 rows − 6 cash/futures rows with ISIN "-"
    for (const s of isins) expect(checkIsin(s)).toBe(s);
  });

  it('every CUSIP agrees with the reference implementation', () => {
    const cusips = rows.map((r) => r['CUSIP']!).filter((s) => s !== '-');
    for (const s of cusips) expect(isValidCusip(s), s).toBe(refCusipValid(s));
    expect(cusips.filter(isValidCusip).length).toBe(cusips.filter(refCusipValid).length);
    expect(cusips.every(isValidCusip)).toBe(true);
    expect(cusips.length).toBe(2764);
  });

  it('CUSIP → ISIN reproduces the file ISIN for every US row', () => {
    const us = rows.filter((r) => r['CUSIP'] !== '-' && r['ISIN']!.startsWith('US'));
    expect(us.length).toBe(2708);
    for (const r of us) expect(cusipToIsin(r['CUSIP']!), r['Ticker']).toBe(r['ISIN']);
  });

  it('CUSIP → ISIN with a country prefix reproduces CUSIP-derived non-US ISINs (CA, BM, PR …)', () => {
    const nonUs = rows.filter((r) => r['CUSIP'] !== '-' && r['ISIN'] !== '-' && !r['ISIN']!.startsWith('US'));
    const derived = nonUs.filter((r) => r['ISIN']!.slice(2, 11) === r['CUSIP']);
    expect(derived.length).toBeGreaterThan(40);
    for (const r of derived) expect(cusipToIsin(r['CUSIP']!, r['ISIN']!.slice(0, 2)), r['Ticker']).toBe(r['ISIN']);
    // Issuers whose ISIN comes from their home agency (e.g. IE00B4BNMY34 / CINS G1151C101): not derivable.
    const home = nonUs.filter((r) => r['ISIN']!.slice(2, 11) !== r['CUSIP']);
    expect(home.map((r) => r['ISIN'])).toContain('IE00B4BNMY34');
    for (const r of home) expect(cusipToIsin(r['CUSIP']!, r['ISIN']!.slice(0, 2))).not.toBe(r['ISIN']);
  });

  it('every SEDOL agrees with the reference; the one that fails is a non-standard code', () => {
    const sedols = rows.map((r) => r['SEDOL']!).filter((s) => s !== '-');
    for (const s of sedols) expect(isValidSedol(s), s).toBe(refSedolValid(s));
    const bad = sedols.filter((s) => !isValidSedol(s));
    // 9952B27 (GTXI): a digit-prefixed code with a letter, check digit 7 where the algorithm gives 4.
    expect(bad).toEqual(['9952B27']);
    expectInvalid(() => checkSedol('9952B27'), 'sedol', /expected 4, got 7/);
    expect(sedols.length - bad.length).toBe(2850);
  });
});

describe('real data: Xetra all tradable instruments (2019-11-08)', () => {
  const rows = xetra();

  it('parses the header after the preamble', () => {
    expect(rows.length).toBe(2665);
    expect(rows.every((r) => r['MIC Code'] === 'XETR')).toBe(true);
    const apple = rows.find((r) => r['ISIN'] === 'US0378331005');
    expect(apple?.['Mnemonic']).toBe('APC');
  });

  it('every ISIN agrees with the reference implementation; every well-formed one is valid', () => {
    const isins = rows.map((r) => r['ISIN']!);
    for (const s of isins) expect(isValidIsin(s), s).toBe(refIsinValid(s));
    const wellFormed = isins.filter((s) => /^[A-Z]{2}[A-Z0-9]{9}[0-9]$/.test(s));
    expect(wellFormed.length).toBe(isins.length);
    expect(isins.filter(isValidIsin).length).toBe(wellFormed.length);
    // Letters inside the NSIN (e.g. AT00000FACC2) exercise the letter expansion.
    expect(isins.filter((s) => /[A-Z]/.test(s.slice(2, 11))).length).toBeGreaterThan(100);
  });
});

describe('OCC option symbols', () => {
  it('parses the padded 21-character form', () => {
    const o = parseOccSymbol('SPX   141122P00019500');
    expect(o.root).toBe('SPX');
    expect(o.expiry).toEqual({ year: 2014, month: 11, day: 22 });
    expect(o.right).toBe('put');
    expect(o.strike).toEqual(parseFixed('19.5'));
    const a = parseOccSymbol('AAPL  210115C00125000');
    expect(a).toEqual({ root: 'AAPL', expiry: { year: 2021, month: 1, day: 15 }, right: 'call', strike: fixed(125, 0) });
  });

  it('accepts the unpadded form and 6-character roots', () => {
    expect(parseOccSymbol('AAPL210115C00125000')).toEqual(parseOccSymbol('AAPL  210115C00125000'));
    expect(parseOccSymbol('GOOGL1240621C00000500')).toMatchObject({ root: 'GOOGL1', strike: parseFixed('0.5') });
  });

  it('formats back (round trip) and normalises the strike', () => {
    for (const s of ['SPX   141122P00019500', 'AAPL  210115C00125000', 'BRKB  240119C00350125', 'GOOGL1240621C00000500']) {
      expect(formatOccSymbol(parseOccSymbol(s))).toBe(s);
      expect(formatOccSymbol(parseOccSymbol(s)).length).toBe(21);
    }
    expect(formatOccSymbol(parseOccSymbol('AAPL210115C00125000'), { padded: false })).toBe('AAPL210115C00125000');
    const o = { root: 'XYZ', expiry: { year: 2030, month: 12, day: 31 }, right: 'call' as const, strike: { raw: 125000n, scale: 3 } };
    expect(formatOccSymbol(o)).toBe('XYZ   301231C00125000');
  });

  it('rejects bad input with InvalidIdentifier on occSymbol', () => {
    expectInvalid(() => parseOccSymbol('AAPL  210115X00125000'), 'occSymbol', /not an OCC symbol/);
    expectInvalid(() => parseOccSymbol('AAPL  210115C0012500'), 'occSymbol', /not an OCC symbol/);
    expectInvalid(() => parseOccSymbol('AAPL 210115C00125000'), 'occSymbol', /padding .* 5 wide/);
    expectInvalid(() => parseOccSymbol('aapl  210115C00125000'), 'occSymbol', /not an OCC symbol/);
    expectInvalid(() => parseOccSymbol('AAPL  210230C00125000'), 'occSymbol', /day 30 is not a day of 2021-02/);
    expectInvalid(() => parseOccSymbol('AAPL  211315C00125000'), 'occSymbol', /month 13/);
    expectInvalid(() => parseOccSymbol('AAPL  210115C00000000'), 'occSymbol', /strike is zero/);
    expect(parseOccSymbol('AAPL  240229C00125000').expiry).toEqual({ year: 2024, month: 2, day: 29 });
    expectInvalid(() => parseOccSymbol('AAPL  230229C00125000'), 'occSymbol', /day 29/);
    const base = { root: 'AAPL', expiry: { year: 2021, month: 1, day: 15 }, right: 'call' as const, strike: fixed(125, 0) };
    expectInvalid(() => formatOccSymbol({ ...base, strike: parseFixed('1.2345') }), 'occSymbol', /more than 3 decimals/);
    expectInvalid(() => formatOccSymbol({ ...base, strike: fixed(100000, 0) }), 'occSymbol', /8-digit/);
    expectInvalid(() => formatOccSymbol({ ...base, root: 'TOOLONG' }), 'occSymbol', /root/);
    expectInvalid(() => formatOccSymbol({ ...base, expiry: { year: 1999, month: 1, day: 1 } }), 'occSymbol', /year 1999/);
  });
});

describe('MIC format', () => {
  it('checks the 4-character [A-Z0-9] shape', () => {
    for (const s of ['XNAS', 'XETR', '4AXE', 'BASE']) expect(isMicFormat(s), s).toBe(true);
    for (const s of ['XNA', 'XNASD', 'xnas', 'XN-S', '']) expect(isMicFormat(s), s).toBe(false);
  });
});
