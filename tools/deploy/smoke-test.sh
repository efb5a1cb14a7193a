#!/usr/bin/env bash
# Smoke test of a deployed stage that touches none of its published data: a dry run of a fresh
# file through the starter and the whole row pipeline.
#
#   tools/deploy/smoke-test.sh STAGE [TIMEOUT_SECONDS]
#
# 1. Asks EventBridge whether the Object Created rule of the stage would start a run for a landed
#    file and not for a folder marker (`events test-event-pattern` on the deployed pattern).
# 2. Writes a fresh file (valid rows whose ids are unique to this smoke run, so it is never a
#    DUPLICATE_FILE) to Bronze under smoke/ingest_date=<today>/ — outside the dataset's prefix, so
#    no trigger fires for it.
# 3. Starts the starter with that source and `dry_run: true`, as a trigger would; the starter
#    names the row-pipeline execution with a run id. Every Task runs up to the gate; RecordDryRun
#    records the run CHECKED; nothing is published (no current/, _LATEST.json, catalog partition or
#    Gold), and the run's work area is removed.
# 4. Fails unless the execution SUCCEEDED with `checked.status` CHECKED and the gate would promote.
#
# Needs the AWS CLI (credentials of the deploy role) and jq.
set -euo pipefail

stage=${1:?usage: smoke-test.sh STAGE [TIMEOUT_SECONDS]}
timeout=${2:-900}
poll=${SMOKE_POLL_SECONDS:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)

sha=${GITHUB_SHA:-$(git -C "$root" rev-parse HEAD)}
stamp=$(date -u +%s)
bucket="ledgerlake-${stage}-bronze"
key="smoke/ingest_date=$(date -u +%F)/smoke-${sha:0:12}-${stamp}.csv"
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region)}}
account=$(aws sts get-caller-identity --query Account --output text)
partition=$(aws sts get-caller-identity --query Arn --output text | cut -d: -f2)
starter="arn:${partition}:states:${region}:${account}:stateMachine:ledgerlake-${stage}-starter"
rule="ledgerlake-${stage}-bronze-object-created"

say() { printf 'smoke-test: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

# 1. The trigger's pattern, as deployed.
pattern=$(aws events describe-rule --name "$rule" --query EventPattern --output text)
event() {
  jq -cn --arg bucket "$bucket" --arg key "$1" --arg account "$account" --arg region "$region" \
    '{id: "1", source: "aws.s3", "detail-type": "Object Created", account: $account, region: $region, time: "2024-01-05T09:00:00Z", resources: [],
      detail: {bucket: {name: $bucket}, object: {key: $key, size: 1}}}'
}
matches() { aws events test-event-pattern --event-pattern "$pattern" --event "$(event "$1")" --query Result --output text; }
[ "$(matches "mortgages/transactions/ingest_date=$(date -u +%F)/landed.csv")" = True ] || fail "rule ${rule} would not start a run for a landed file"
[ "$(matches "$key")" = False ] || fail "rule ${rule} would start a run for the smoke file ${key}"
say "rule ${rule} matches landed files, not the smoke file"

# 2. A fresh file: two valid rows, ids unique to this run.
file=$(mktemp)
trap 'rm -f "$file"' EXIT
today=$(date -u +%FT09:00:00Z)
{
  echo 'TransactionID,CustomerID,TransactionAmount,Currency,TransactionTimestamp'
  echo "${stamp}1,SMOKE001,10.00,EUR,${today}"
  echo "${stamp}2,SMOKE001,-2.50,EUR,${today}"
} > "$file"
aws s3 cp --only-show-errors "$file" "s3://${bucket}/${key}"
say "wrote s3://${bucket}/${key}"

# 3. The starter, as a trigger starts it, with dry_run.
deadline=$((SECONDS + timeout))
input=$(jq -cn --arg bucket "$bucket" --arg key "$key" '{dataset: "mortgages/transactions", mode: "ingest", source: {bucket: $bucket, key: $key}, dry_run: true}')
started=$(aws stepfunctions start-execution --state-machine-arn "$starter" --input "$input" --query executionArn --output text)
status=RUNNING
while [ "$status" = RUNNING ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "starter execution ${started} still RUNNING after ${timeout}s"
  sleep "$poll"
  status=$(aws stepfunctions describe-execution --execution-arn "$started" --query status --output text)
done
[ "$status" = SUCCEEDED ] || fail "starter execution ${started} ended ${status}"
execution=$(aws stepfunctions describe-execution --execution-arn "$started" --query output --output text | jq -r '.execution_arn // empty')
[ -n "$execution" ] || fail "starter execution ${started} started no run"
say "run ${execution##*:} started"

# 4. The run.
status=RUNNING
while [ "$status" = RUNNING ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "execution ${execution} still RUNNING after ${timeout}s"
  sleep "$poll"
  status=$(aws stepfunctions describe-execution --execution-arn "$execution" --query status --output text)
done
[ "$status" = SUCCEEDED ] || fail "execution ${execution} ended ${status}"
output=$(aws stepfunctions describe-execution --execution-arn "$execution" --query output --output text)
[ "$(jq -r '.checked.status // empty' <<<"$output")" = CHECKED ] || fail "execution ${execution} was not a dry run: it did not end in RecordDryRun"
[ "$(jq -r '.checked.decision // empty' <<<"$output")" = PROMOTE ] || fail "execution ${execution}: the gate would block the smoke file: $(jq -c '.checked.reasons' <<<"$output")"
say "execution ${execution} SUCCEEDED: checked end to end, nothing published"
