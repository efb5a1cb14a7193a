#!/usr/bin/env bash
# Smoke test of a deployed stage: lands samples/transactions-2024-q1.csv in Bronze, waits for the
# row-pipeline execution the Object Created trigger starts for it, and fails unless it SUCCEEDED.
#
#   tools/deploy/smoke-test.sh STAGE [TIMEOUT_SECONDS]
#
# Needs the AWS CLI (credentials of the deploy role) and jq. The object key carries the commit
# (GITHUB_SHA, else HEAD), so each deploy lands its own file. Its content is always the same
# sample: the first smoke run of a stage publishes the sample rows, later ones end as
# DUPLICATE_FILE (Skipped) — both are SUCCEEDED executions, and either proves the trigger, the
# starter (execution named with its run id) and the functions the run reached.
set -euo pipefail

stage=${1:?usage: smoke-test.sh STAGE [TIMEOUT_SECONDS]}
timeout=${2:-900}
poll=${SMOKE_POLL_SECONDS:-10}
root=$(cd "$(dirname "$0")/../.." && pwd)
sample="$root/samples/transactions-2024-q1.csv"

sha=${GITHUB_SHA:-$(git -C "$root" rev-parse HEAD)}
bucket="ledgerlake-${stage}-bronze"
key="mortgages/transactions/ingest_date=$(date -u +%F)/smoke-${sha:0:12}.csv"
region=${AWS_REGION:-${AWS_DEFAULT_REGION:-$(aws configure get region)}}
account=$(aws sts get-caller-identity --query Account --output text)
state_machine="arn:aws:states:${region}:${account}:stateMachine:ledgerlake-${stage}"

say() { printf 'smoke-test: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

deadline=$((SECONDS + timeout))
aws s3 cp --only-show-errors "$sample" "s3://${bucket}/${key}"
say "landed s3://${bucket}/${key}; waiting for its execution of ${state_machine}"

# The newest executions first; the one whose input names our key is ours.
execution=""
seen=" "
while [ -z "$execution" ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "no execution was started for s3://${bucket}/${key} within ${timeout}s"
  sleep "$poll"
  for arn in $(aws stepfunctions list-executions --state-machine-arn "$state_machine" --max-results 50 \
    --query 'executions[].executionArn' --output text); do
    case "$seen" in *" $arn "*) continue ;; esac
    seen="$seen$arn "
    source_key=$(aws stepfunctions describe-execution --execution-arn "$arn" --query input --output text | jq -r '.source.key // empty')
    if [ "$source_key" = "$key" ]; then
      execution=$arn
      break
    fi
  done
done
say "execution ${execution##*:} (the run id) started"

status=RUNNING
while [ "$status" = RUNNING ]; do
  [ "$SECONDS" -lt "$deadline" ] || fail "execution ${execution} still RUNNING after ${timeout}s"
  sleep "$poll"
  status=$(aws stepfunctions describe-execution --execution-arn "$execution" --query status --output text)
done

[ "$status" = SUCCEEDED ] || fail "execution ${execution} ended ${status}"
say "execution ${execution} SUCCEEDED"
