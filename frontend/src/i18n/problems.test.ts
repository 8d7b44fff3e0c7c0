import { describe, expect, it } from 'vitest';
import { problemCodes, type Problem } from '../api/types';
import { catalogues } from './index';
import { minutesToWait, problemMessage } from './problems';

const problem = (code: string, extra: Partial<Problem> = {}): Problem => ({
  type: 'about:blank',
  title: code,
  status: 400,
  code,
  ...extra,
});

describe('problemMessage', () => {
  for (const [lang, t] of Object.entries(catalogues)) {
    it(`has a specific ${lang} message for every documented code`, () => {
      const fallback = t.problem_unknown('x').split('x')[0]!;
      for (const code of [...problemCodes, 'network', 'code_incomplete', 'webauthn_cancelled', 'webauthn_unsupported', 'webauthn_exists', 'webauthn_error']) {
        const msg = problemMessage(problem(code), t);
        expect(msg, code).not.toBe('');
        expect(msg.startsWith(fallback), code).toBe(false);
      }
    });
  }

  it('tells how many attempts are left after a wrong code', () => {
    expect(problemMessage(problem('code_invalid', { attempts_left: 2 }), catalogues.ja)).toContain('あと2回');
    expect(problemMessage(problem('code_invalid', { attempts_left: 1 }), catalogues.en)).toContain('1 attempt left');
    expect(problemMessage(problem('code_invalid'), catalogues.en)).toBe('The code is incorrect.');
  });

  it('tells the minutes to wait when rate limited', () => {
    expect(problemMessage(problem('rate_limited', { retry_after: 290 }), catalogues.ja)).toContain('5分');
    expect(problemMessage(problem('rate_limited', { retry_after: 30 }), catalogues.en)).toContain('1 minute');
    expect(problemMessage(problem('busy', { retry_after: 120 }), catalogues.en)).toContain('2 minutes');
  });

  it('names an unknown code rather than saying nothing', () => {
    expect(problemMessage(problem('brand_new'), catalogues.en)).toContain('brand_new');
  });
});

describe('minutesToWait', () => {
  it.each([
    [0, 1],
    [1, 1],
    [60, 1],
    [61, 2],
    [900, 15],
  ])('%i s → %i min', (s, min) => expect(minutesToWait(s)).toBe(min));
});
