#!/usr/bin/env bash
# Creates the commands and queries databases, applies the migrations of infra/mariadb/migrations
# and of every aggregate (aggregates/*/migrations), in one version order per database and recorded
# in schema_migrations with the same checksums infra/mariadb/migrate.ts uses, so `npm run infra:up`
# later finds them up to date; then creates the function users with exactly the grants of
# infra/mariadb/users.ts, read from the grants.tsv files `npm run infra:docker-grants` writes
# (infra/docker/grants.tsv and aggregates/*/migrations/grants.tsv).
# test/integration/docker-init.test.ts fails when the two set-ups differ.
#
# In the MariaDB image it runs as an init script over the temporary server's socket. It also runs
# against any server: MARIADB_HOST=127.0.0.1 infra/docker/init-databases.sh
# Variables (defaults as in lib/config.ts): COMMANDS_DB, QUERIES_DB, <ROLE>_DB_USER,
# <ROLE>_DB_PASSWORD, MARIADB_USER_HOST, MARIADB_HOST, MARIADB_PORT, MARIADB_ADMIN_USER,
# MARIADB_ADMIN_PASSWORD (or MARIADB_ROOT_PASSWORD inside the image), MIGRATIONS_DIR,
# AGGREGATES_DIR, GRANTS_FILE.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
migrations=${MIGRATIONS_DIR:-$here/../mariadb/migrations}
aggregates=${AGGREGATES_DIR:-$here/../../aggregates}
core_grants=${GRANTS_FILE:-$here/grants.tsv}

client=(mariadb --batch --skip-column-names -u "${MARIADB_ADMIN_USER:-root}")
if [[ -n ${MARIADB_HOST:-} ]]; then
  client+=(--protocol=tcp -h "$MARIADB_HOST" -P "${MARIADB_PORT:-3306}")
else
  client+=(--protocol=socket)
fi
export MYSQL_PWD=${MARIADB_ADMIN_PASSWORD:-${MARIADB_ROOT_PASSWORD:-}}
sql() { "${client[@]}" "$@"; }

# Names go into SQL unquoted by the server, so they get the check lib/config.ts applies.
identifier() {
  [[ $1 =~ ^[A-Za-z0-9_]{1,64}$ ]] || { echo "Not a valid database or user name: '$1'" >&2; exit 1; }
  printf '%s' "$1"
}
literal() { local s=${1//\\/\\\\}; printf "'%s'" "${s//\'/\'\'}"; }

commands=$(identifier "${COMMANDS_DB:-commands}")
queries=$(identifier "${QUERIES_DB:-queries}")

for schema in commands queries; do
  db=${!schema}
  sql <<SQL
CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE TABLE IF NOT EXISTS \`$db\`.schema_migrations (
  version INT UNSIGNED NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  checksum CHAR(64) NOT NULL,
  applied_at DATETIME(3) NOT NULL
) ENGINE=InnoDB;
SQL
  # Every source's files of this schema, in the order of their numbers (the names start with them).
  mapfile -t files < <(
    for file in "$migrations/$schema"/*.sql "$aggregates"/*/migrations/"$schema"/*.sql; do
      [[ -f $file ]] && printf '%s\t%s\n' "$(basename "$file")" "$file"
    done | sort | cut -f2
  )
  for file in "${files[@]}"; do
    name=$(basename "$file" .sql)
    [[ $name =~ ^[0-9]{3}_[a-z0-9_]+$ ]] || continue
    version=$((10#${name:0:3}))
    checksum=$(sha256sum "$file" | cut -d' ' -f1)
    recorded=$(sql -e "SELECT checksum FROM \`$db\`.schema_migrations WHERE version = $version")
    if [[ -n $recorded ]]; then
      if [[ $recorded != "$checksum" ]]; then
        echo "Migration $name was applied to $db but its file has changed since." >&2
        exit 1
      fi
      continue
    fi
    sql --database="$db" <"$file"
    sql -e "INSERT INTO \`$db\`.schema_migrations (version, name, checksum, applied_at)
            VALUES ($version, '$name', '$checksum', UTC_TIMESTAMP(3))"
    echo "$db: applied $name"
  done
done

host=$(literal "${MARIADB_USER_HOST:-%}")

# user <role> <default password> <grant>...: creates the user and sets its grants to exactly these.
user() {
  local role=$1 default_password=$2
  shift 2
  local upper=${role^^}
  local name_var=${upper}_DB_USER password_var=${upper}_DB_PASSWORD
  local name password
  name=$(literal "$(identifier "${!name_var:-cqrs_$role}")")
  password=$(literal "${!password_var:-$default_password}")
  {
    echo "CREATE USER IF NOT EXISTS $name@$host IDENTIFIED BY $password;"
    echo "ALTER USER $name@$host IDENTIFIED BY $password;"
    echo "REVOKE ALL PRIVILEGES, GRANT OPTION FROM $name@$host;"
    for grant in "$@"; do echo "GRANT $grant TO $name@$host;"; done
  } | sql
  echo "user ready: ${!name_var:-cqrs_$role}"
}

# grants <role>: "<privileges> ON `<database>`.<table>" for each line of the role in the grants files.
grants() {
  local role=$1 line_role schema table privileges
  for file in "$core_grants" "$aggregates"/*/migrations/grants.tsv; do
    [[ -f $file ]] || continue
    while IFS=$'\t' read -r line_role schema table privileges; do
      [[ $line_role == "$role" ]] || continue
      printf '%s ON `%s`.%s\n' "$privileges" "${!schema}" "$table"
    done < <(grep -v '^#' "$file")
  done
}

for role in command relay projection query operator ops janitor; do
  mapfile -t role_grants < <(grants "$role")
  user "$role" "$role-local-pw" "${role_grants[@]}"
done
