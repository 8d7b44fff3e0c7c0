import { describe, expect, it } from 'vitest';
import { formatCountdown, secondsUntil } from './time';

describe('formatCountdown', () => {
  it.each([
    [0, '0:00'],
    [9, '0:09'],
    [59.2, '1:00'],
    [65, '1:05'],
    [600, '10:00'],
    [-3, '0:00'],
  ])('%d s → %s', (s, want) => expect(formatCountdown(s)).toBe(want));
});

describe('secondsUntil', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  it('counts whole seconds up, never below zero', () => {
    expect(secondsUntil('2030-01-01T00:00:30Z', now)).toBe(30);
    expect(secondsUntil('2030-01-01T00:00:00.400Z', now)).toBe(1);
    expect(secondsUntil('2029-12-31T23:59:00Z', now)).toBe(0);
    expect(secondsUntil(undefined, now)).toBe(0);
    expect(secondsUntil('not a time', now)).toBe(0);
  });
});
