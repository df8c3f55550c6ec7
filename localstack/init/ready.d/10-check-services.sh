#!/bin/bash
# Runs inside LocalStack once it is ready: says which of the services the stack needs are missing
# (MSK, RDS and HTTP APIs need a Pro auth token), so a failed deploy has an obvious cause.
set -u
health=$(curl -s localhost:4566/_localstack/health)
missing=()
for service in cloudformation lambda apigateway ec2 secretsmanager kafka rds sqs events; do
  if ! grep -q "\"$service\": *\"\(available\|running\)\"" <<<"$health"; then
    missing+=("$service")
  fi
done
if ((${#missing[@]})); then
  echo "cqrs-es: LocalStack lacks ${missing[*]}; 'sls deploy --stage localstack' will fail." >&2
else
  echo "cqrs-es: LocalStack has every service the stack needs."
fi
