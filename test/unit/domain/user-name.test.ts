import { userNameSchema } from '../../../aggregates/users/events.js';

const problem = (name: unknown) => userNameSchema.safeParse(name).error?.issues[0]?.message;

describe('user names the database can store', () => {
  it('a name with an unpaired surrogate is refused, since it has no UTF-8 form', () => {
    for (const name of ['a\uD800b', '\uDC00', 'x\uDBFF', '\uDFFF\uD800']) {
      expect(problem(name)).toBe('must be well-formed Unicode (no unpaired surrogate)');
    }
  });

  it('paired surrogates (emoji), right-to-left marks and zero-width characters are names like any other', () => {
    for (const name of ['Ada \u{1F600}', '\u202EAda', 'A\u200Bda', '\u05D0\u05D3\u05D4']) {
      expect(userNameSchema.parse(name)).toBe(name);
    }
  });
});
