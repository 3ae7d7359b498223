#!/usr/bin/env bash
# The main job: build, start a Kafka broker (unless one answers), run the whole chapter-7 pipeline
# on the bundled dataset through the four services, print the summary. Options: --help.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

JAR=pipeline-runner/target/pipeline-runner-0.1.0-SNAPSHOT.jar
for arg in "$@"; do
  if [ "$arg" = "--help" ] || [ "$arg" = "-h" ]; then
    [ -f "$JAR" ] || mvn -B -q package -DskipTests
    exec java -jar "$JAR" --help
  fi
done

echo "building the services (mvn package -DskipTests) ..." >&2
mvn -B -q package -DskipTests

# shellcheck source=lib/broker.sh
. "$ROOT/scripts/lib/broker.sh"
use_broker

java -jar "$JAR" --repository "$ROOT" "$@"
