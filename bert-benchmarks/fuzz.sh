#!/usr/bin/env bash
# Fuzzes every decoder of what crosses Kafka or HTTP with Jazzer, one @FuzzTest after another (Jazzer fuzzes one
# fuzz test per JVM), for SECONDS each (default 120), and prints per decoder the inputs tried, the speed, the
# coverage and whether it found anything. A finding fails the script; Jazzer saves its input as crash-<sha1> in the
# test's inputs directory (src/test/resources/.../<Class>Inputs/<test>/), where the regression run of every build
# replays it from then on. CI runs it with a few seconds each (.ci/run); BENCHMARKS.md "Fuzzing" has long runs.
#
#   bert-benchmarks/fuzz.sh [SECONDS] [Class#test ...]
#
# FUZZ_INCLUDES: the classes Jazzer instruments for coverage (default: the project, and the JSON, CloudEvents and
# Bean Validation code under its decoders; CI takes the project's alone, which starts each run faster).
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-120}
includes=${FUZZ_INCLUDES:-io.ptuning.**:com.fasterxml.jackson.**:io.cloudevents.**:org.hibernate.validator.**}
shift || true
targets=(
  pipeline-contract:ContractDecodersFuzzTest#batchRecord
  pipeline-contract:ContractDecodersFuzzTest#runRequest
  pipeline-contract:ContractDecodersFuzzTest#sweepRequest
  pipeline-contract:ContractDecodersFuzzTest#runControl
  pipeline-contract:ContractDecodersFuzzTest#metricEvent
  evaluator-service:CheckpointFuzzTest#checkpointRecord
  evaluator-service:PredictRequestFuzzTest#predictBody
  trainer-service:RunRequestCheckFuzzTest#checkRecord
)
if [ $# -gt 0 ]; then
  chosen=()
  for want in "$@"; do
    for t in "${targets[@]}"; do [[ "$t" == *":$want" ]] && chosen+=("$t"); done
  done
  targets=("${chosen[@]}")
fi

logs=target/fuzz
mkdir -p "$logs"
modules=$(printf '%s\n' "${targets[@]}" | cut -d: -f1 | sort -u | paste -sd, -)
# Compile once (each run below finds everything up to date); each fuzz test then runs in its own JVM.
nice ./mvnw -B -ntp -q -pl "$modules" -am test-compile || exit 1

status=0
summary=()
for target in "${targets[@]}"; do
  module=${target%%:*}
  test=${target#*:}
  log="$logs/${test//#/.}.log"
  echo "fuzzing $test for ${seconds}s (log: $log)"
  started=$(date +%s)
  # A small heap: a decoder that allocates from a length field fails with OutOfMemoryError, which Jazzer reports.
  JAZZER_FUZZ=1 JAZZER_MAX_DURATION="${seconds}s" nice ./mvnw -B -ntp -pl "$module" -am test \
      -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.instrumentation_includes="$includes" \
      -Dsurefire.argLine="-Xmx1g -XX:-OmitStackTraceInFastThrow -XX:+UseParallelGC" >"$log" 2>&1
  rc=$?
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  runs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | grep -oE '[0-9]+ runs in [0-9]+' )
  finding=$(grep -oE '== Java Exception: [^ ]+|crash-[0-9a-f]{40}|timeout-[0-9a-f]{40}|OutOfMemoryError' "$log" | sort -u | paste -sd' ' -)
  if [ $rc -ne 0 ] || [ -n "$finding" ]; then
    status=1
    summary+=("$test: FINDING ${finding:-build failed, see $log} ${done_line}")
  else
    summary+=("$test: ${runs:-?} s (run took $(( $(date +%s) - started )) s), ${done_line:-no DONE line, see $log}")
  fi
done

echo
echo "Fuzzing summary (${seconds}s per decoder; inputs tried = the libFuzzer #N of the DONE line):"
printf '  %s\n' "${summary[@]}"
exit $status
