import { describe, expect, it } from 'vitest';
import { fmtBytes, fmtCompact, fmtInt } from './format';

describe('number formats', () => {
  it('keeps one decimal from 100 up and two below, trailing zeros trimmed', () => {
    expect(fmtCompact(416520)).toBe('416.5 K');
    expect(fmtCompact(15.47e9)).toBe('15.47 G');
    expect(fmtCompact(12_340_000)).toBe('12.34 M');
    expect(fmtCompact(1000)).toBe('1 K');
    expect(fmtCompact(-2500)).toBe('-2.5 K');
    expect(fmtCompact(999)).toBe('999');
    expect(fmtBytes(246_824)).toBe('241 KB');
    expect(fmtBytes(1536)).toBe('1.5 KB');
    expect(fmtBytes(512)).toBe('512 B');
    expect(fmtInt(61706)).toBe('61,706');
  });
});
