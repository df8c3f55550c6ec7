import { listUsersQuery } from '../../../aggregates/users/routes.js';

describe('GET /users query parameters', () => {
  it('a name filter with an unpaired surrogate is refused like a command name, not searched for', () => {
    const result = listUsersQuery.safeParse({ name: 'x\uDFFF' });
    expect(result.error?.issues[0]?.message).toBe('must be well-formed Unicode (no unpaired surrogate)');
  });

  it('a name filter with emoji or right-to-left text is a filter like any other', () => {
    expect(listUsersQuery.parse({ name: '\u{1F600}\u202E' })).toEqual({ name: '\u{1F600}\u202E' });
  });
});
