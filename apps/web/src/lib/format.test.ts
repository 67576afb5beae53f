import { describe, expect, it } from 'vitest';
import { between, formatBytes, formatDuration, formatShortDateTime, prettyJsonText } from './format.ts';

describe('formatDuration', () => {
  it.each([
    [0.42, '0.42 ms'],
    [0.004, '< 0.01 ms'],
    [0.999, '1.0 ms'],
    [4.237, '4.2 ms'],
    [9.96, '10 ms'],
    [12.4, '12 ms'],
    [999.4, '999 ms'],
    [999.6, '1.00 s'],
    [1249, '1.25 s'],
    [9_996, '10.0 s'],
    [42_123, '42.1 s'],
    [59_960, '1 min 0 s'],
    [125_000, '2 min 5 s'],
    [119_700, '2 min 0 s'],
    [3_599_600, '1 h 0 min'],
    [3_725_000, '1 h 2 min'],
    [86_400_000 + 4 * 3_600_000, '1 d 4 h'],
  ])('%s ms is "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('shows nothing as a dash and never a negative time', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(-5)).toBe('0 ms');
  });
});

describe('between', () => {
  it('is the milliseconds from one instant to the other, null when one is missing', () => {
    expect(between(new Date(1000), new Date(3500))).toBe(2500);
    expect(between(new Date(1000), null)).toBeNull();
    expect(between(new Date(5000), new Date(1000))).toBe(0);
  });
});

describe('formatShortDateTime', () => {
  const now = new Date(2026, 4, 12, 15, 0, 0).getTime();
  it('shows the time of day for today, the day and minute this year, the day before', () => {
    expect(formatShortDateTime(new Date(2026, 4, 12, 14, 2, 11), now, 'en-GB')).toBe('14:02:11');
    expect(formatShortDateTime(new Date(2026, 4, 3, 9, 5, 0), now, 'en-GB')).toBe('3 May, 09:05');
    expect(formatShortDateTime(new Date(2025, 11, 31, 23, 0, 0), now, 'en-GB')).toBe('31 Dec 2025');
  });
});

describe('formatBytes', () => {
  it('uses the unit that keeps the number short', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(14_540)).toBe('14.2 KB');
    expect(formatBytes(1_048_576)).toBe('1.0 MB');
  });
});

describe('prettyJsonText', () => {
  it('pretty-prints JSON text, keeps text that is not JSON as stored, and null as nothing', () => {
    expect(prettyJsonText('{"a":[1,2]}')).toEqual({ text: '{\n  "a": [\n    1,\n    2\n  ]\n}', valid: true });
    expect(prettyJsonText('{"a": 1,')).toEqual({ text: '{"a": 1,', valid: false });
    expect(prettyJsonText(null)).toBeNull();
  });

  it('shows odd keys like __proto__ as ordinary keys', () => {
    expect(prettyJsonText('{"__proto__":{"x":1}}')?.text).toBe('{\n  "__proto__": {\n    "x": 1\n  }\n}');
  });
});
