/**
 * The grants of infra/mariadb/users.ts as files the Docker init script reads (it runs in the
 * MariaDB image, without Node): the core's in infra/docker/grants.tsv, each aggregate's beside its
 * migrations. `npm run infra:docker-grants` writes them; a unit test fails when one is stale.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Registry } from '../../lib/aggregate/registry.js';
import { APP_ROLES } from '../../lib/config.js';
import { aggregateGrants, coreGrants, type Grant } from '../mariadb/users.js';
import { ROOT } from '../paths.js';

function tsv(source: string, grants: Array<[string, Grant]>): string {
  const lines = grants.map(([role, g]) => [role, g.schema, g.table, g.privileges].join('\t'));
  return [
    `# Generated from infra/mariadb/users.ts for ${source} by npm run infra:docker-grants; do not edit.`,
    '# role\tdatabase\ttable\tprivileges',
    ...lines,
    '',
  ].join('\n');
}

/** The files and their contents, for the registry's aggregates (those with a migrations folder). */
export function dockerGrantFiles(registry: Registry): Array<{ file: string; text: string }> {
  const core = APP_ROLES.flatMap((role) => coreGrants(role).map((g) => [role, g] as [string, Grant]));
  return [
    { file: path.join(ROOT, 'infra', 'docker', 'grants.tsv'), text: tsv('the core', core) },
    ...registry.aggregates.flatMap((aggregate) =>
      aggregate.migrations
        ? [
            {
              file: path.join(ROOT, aggregate.migrations, 'grants.tsv'),
              text: tsv(
                `aggregate "${aggregate.name}"`,
                APP_ROLES.flatMap((role) =>
                  aggregateGrants(role, aggregate).map((g) => [role, g] as [string, Grant]),
                ),
              ),
            },
          ]
        : [],
    ),
  ];
}

export async function writeDockerGrants(registry: Registry): Promise<void> {
  for (const { file, text } of dockerGrantFiles(registry)) {
    await writeFile(file, text);
    console.log(`wrote ${path.relative(ROOT, file)}`);
  }
}
