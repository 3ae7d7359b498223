# Sourced by the scripts that need a broker on localhost:9092 (test.sh, run-pipeline.sh), after they
# set ROOT: use_broker starts one with kafka.sh unless one answers, stops it when the script exits
# only if it started it, and creates the contract's topics.
use_broker() {
  BROKER_STARTED=0
  if ! "$ROOT/scripts/kafka.sh" status; then
    "$ROOT/scripts/kafka.sh" start
    BROKER_STARTED=1
  fi
  trap 'if [ "$BROKER_STARTED" = 1 ]; then "$ROOT/scripts/kafka.sh" stop; fi' EXIT
  "$ROOT/scripts/kafka.sh" topics
}
