/** .env.example lists every variable the config module reads, so it stays the one place to look. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ROLES } from '../../../lib/config.js';
import { ROOT } from '../../../infra/paths.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

describe('.env.example', () => {
  it('names every variable lib/config.ts reads by name', () => {
    const documented = new Set(
      [...read('.env.example').matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]),
    );
    const read_ = [
      ...read('lib/config.ts').matchAll(/\.(?:string|int|flag|optional|identifier)\('([A-Z][A-Z0-9_]+)'/g),
    ].map((m) => m[1]!);
    expect(read_.filter((name) => !documented.has(name))).toEqual([]);
  });

  it("names every role's database user", () => {
    const text = read('.env.example');
    expect(APP_ROLES.filter((role) => !text.includes(`${role.toUpperCase()}_DB_USER=`))).toEqual([]);
  });
});
