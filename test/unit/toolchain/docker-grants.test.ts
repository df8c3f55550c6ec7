/** The Docker init script reads the grants from files; they must say what infra/mariadb/users.ts grants. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { registry } from '../../../aggregates/index.js';
import { dockerGrantFiles } from '../../../infra/docker/grants.js';
import { ROOT } from '../../../infra/paths.js';

describe('the grants files of the Docker init script', () => {
  it.each(dockerGrantFiles(registry).map(({ file, text }) => [path.relative(ROOT, file), text]))(
    '%s is current (else run npm run infra:docker-grants)',
    async (file, text) => {
      expect(await readFile(path.join(ROOT, file), 'utf8')).toBe(text);
    },
  );
});
