/**
 * Counts, plurals and relative times (webview/dashboard/format.ts): the dashboard page, the
 * sidebar trees and the status bar all print these, so one wrong boundary shows everywhere.
 * `relativeTime` takes `now`, so every boundary is checked against a fixed clock.
 */
import assert from 'node:assert/strict';
import { formatCount, plural, relativeTime } from '../../../webview/dashboard/format';

const NOW = Date.parse('2024-05-10T12:00:00.000Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** The ISO time `ms` milliseconds before NOW (negative: after). */
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const rel = (msAgo: number) => relativeTime(ago(msAgo), NOW);

describe('dashboard formatting (webview/dashboard/format)', () => {
  describe('formatCount', () => {
    it('groups thousands with commas whatever the machine’s locale', () => {
      assert.equal(formatCount(0), '0');
      assert.equal(formatCount(999), '999');
      assert.equal(formatCount(1000), '1,000');
      assert.equal(formatCount(12345), '12,345');
      assert.equal(formatCount(1_234_567), '1,234,567');
    });
  });

  describe('plural', () => {
    it('uses the singular for exactly one and the plural otherwise, including zero', () => {
      assert.equal(plural(1, 'example'), '1 example');
      assert.equal(plural(0, 'example'), '0 examples');
      assert.equal(plural(2, 'example'), '2 examples');
      assert.equal(plural(1, 'critical alert'), '1 critical alert');
    });

    it('formats the count with thousands separators', () => {
      assert.equal(plural(1204, 'example'), '1,204 examples');
    });

    it('takes an irregular plural form', () => {
      assert.equal(plural(1, 'child', 'children'), '1 child');
      assert.equal(plural(3, 'child', 'children'), '3 children');
    });
  });

  describe('relativeTime', () => {
    it('says "just now" under 45 seconds', () => {
      assert.equal(rel(0), 'just now');
      assert.equal(rel(44 * SECOND), 'just now');
      assert.equal(rel(45 * SECOND - 1), 'just now');
    });

    it('switches to minutes at 45 seconds, never saying "0 minutes ago", and rounds to the nearest minute', () => {
      assert.equal(rel(45 * SECOND), '1 minute ago');
      assert.equal(rel(89 * SECOND), '1 minute ago');
      assert.equal(rel(90 * SECOND), '2 minutes ago');
      assert.equal(rel(3 * MINUTE), '3 minutes ago');
      assert.equal(rel(45 * MINUTE - SECOND), '45 minutes ago');
    });

    it('switches to hours at 45 minutes', () => {
      assert.equal(rel(45 * MINUTE), '1 hour ago');
      assert.equal(rel(HOUR), '1 hour ago');
      assert.equal(rel(5 * HOUR), '5 hours ago');
      assert.equal(rel(18 * HOUR - MINUTE), '18 hours ago');
    });

    it('switches to days at 18 hours, saying "yesterday" for one day', () => {
      assert.equal(rel(18 * HOUR), 'yesterday');
      assert.equal(rel(DAY), 'yesterday');
      assert.equal(rel(36 * HOUR), '2 days ago');
      assert.equal(rel(5 * DAY), '5 days ago');
      assert.equal(rel(22 * DAY), '22 days ago');
    });

    it('switches to 30-day months at 22.5 days and to 365-day years at 273.75 days', () => {
      assert.equal(rel(22.5 * DAY), 'last month');
      assert.equal(rel(90 * DAY), '3 months ago');
      assert.equal(rel(273 * DAY), '9 months ago');
      assert.equal(rel(274 * DAY), 'last year');
      assert.equal(rel(3 * 365 * DAY), '3 years ago');
    });

    it('reads a time in the future (clock skew between processes) as "just now"', () => {
      assert.equal(rel(-10 * SECOND), 'just now');
      assert.equal(rel(-2 * DAY), 'just now');
    });

    it('returns "" for a time that does not parse', () => {
      assert.equal(relativeTime('not a date', NOW), '');
      assert.equal(relativeTime('', NOW), '');
      assert.equal(relativeTime('2024-13-45T99:00:00Z', NOW), '');
    });

    it('honours the offset of the ISO time', () => {
      assert.equal(relativeTime('2024-05-10T13:00:00+01:00', NOW), 'just now');
      assert.equal(relativeTime('2024-05-10T12:00:00+02:00', NOW), '2 hours ago');
    });

    it('measures from the current clock when no "now" is given', () => {
      assert.equal(relativeTime(new Date().toISOString()), 'just now');
      assert.equal(relativeTime(new Date(Date.now() - 5 * MINUTE).toISOString()), '5 minutes ago');
    });
  });
});
