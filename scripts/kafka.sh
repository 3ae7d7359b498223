#!/usr/bin/env bash
# A single-node Apache Kafka broker (KRaft, broker + controller) on localhost:9092, from the
# broker jars on Maven Central. No Docker.
#
#   scripts/kafka.sh start     fetch the jars if needed, format the log dir once, start, wait until ready
#   scripts/kafka.sh stop      stop the broker started by this script
#   scripts/kafka.sh status    exit 0 when a broker answers on the port
#   scripts/kafka.sh topics    create the contract's topics (idempotent)
#   scripts/kafka.sh run CLASS ARGS...   run a Kafka tool class on the broker's classpath
#
# Environment: KAFKA_HOME (default .kafka in the repository), KAFKA_PORT (9092),
# KAFKA_CONTROLLER_PORT (9093), KAFKA_SASL_PORT (9094).
#
# Besides the PLAINTEXT listener (local use and tests; its clients are super users), a
# SASL_PLAINTEXT listener with SCRAM-SHA-512 on KAFKA_SASL_PORT, where ACLs apply (StandardAuthorizer):
# `topics` also creates the SCRAM user dataset-service (password SCRAM_TEST_PASSWORD, default
# scram-test-password) with the ACLs the deploy manifests give that service, for the SCRAM test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_HOME="${KAFKA_HOME:-$ROOT/.kafka}"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
SASL_PORT="${KAFKA_SASL_PORT:-9094}"
SCRAM_PASSWORD="${SCRAM_TEST_PASSWORD:-scram-test-password}"
LIBS="$KAFKA_HOME/libs"
DATA="$KAFKA_HOME/data"
PIDFILE="$KAFKA_HOME/broker.pid"
TOPICS=(dataset-jobs training-jobs inference-jobs scoring-jobs job-events
        dataset-jobs-dlq training-jobs-dlq inference-jobs-dlq scoring-jobs-dlq)

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

fetch_libs() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  echo "kafka: copying broker jars from the Maven repository into $LIBS" >&2
  mkdir -p "$LIBS"
  mvn -B -q -f "$ROOT/scripts/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS" >&2
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$KAFKA_HOME/logs"
  cat > "$KAFKA_HOME/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=localhost:$CONTROLLER_PORT
listeners=PLAINTEXT://localhost:$PORT,CONTROLLER://localhost:$CONTROLLER_PORT,SASL://localhost:$SASL_PORT
advertised.listeners=PLAINTEXT://localhost:$PORT,SASL://localhost:$SASL_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL:SASL_PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS
allow.everyone.if.no.acl.found=false
log.dirs=$DATA
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=8388608
PROPS
  cat > "$KAFKA_HOME/log4j2.properties" <<'PROPS'
rootLogger.level=INFO
rootLogger.appenderRef.file.ref=FILE
appender.file.type=File
appender.file.name=FILE
appender.file.fileName=${sys:kafka.logs.dir}/server.log
appender.file.layout.type=PatternLayout
appender.file.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.started.name=kafka.server.KafkaRaftServer
logger.started.level=INFO
PROPS
}

kafka_java() { java -Xms128m -Xmx256m -cp "$LIBS/*" "$@"; }

start() {
  if listening; then echo "kafka: a broker already answers on localhost:$PORT" >&2; return; fi
  fetch_libs
  write_config
  if [ ! -f "$DATA/meta.properties" ]; then
    rm -rf "$DATA"
    local id
    id=$(kafka_java kafka.tools.StorageTool random-uuid)
    kafka_java kafka.tools.StorageTool format --standalone -t "$id" -c "$KAFKA_HOME/server.properties" >/dev/null
  fi
  setsid java -Xms128m -Xmx256m -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_HOME/logs" -cp "$LIBS/*" kafka.Kafka "$KAFKA_HOME/server.properties" \
    </dev/null >"$KAFKA_HOME/logs/stdout.log" 2>&1 &
  echo $! > "$PIDFILE"
  for _ in $(seq 1 120); do
    if listening; then echo "kafka: broker ready on localhost:$PORT (pid $(cat "$PIDFILE"))" >&2; return; fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "kafka: broker exited during start; see $KAFKA_HOME/logs" >&2
      tail -20 "$KAFKA_HOME/logs/stdout.log" >&2 || true
      exit 1
    fi
    sleep 0.5
  done
  echo "kafka: broker did not open localhost:$PORT within 60 s; see $KAFKA_HOME/logs" >&2
  exit 1
}

stop() {
  if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
    local pid
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    echo "kafka: stopped" >&2
  fi
  rm -f "$PIDFILE"
}

# Job topics have JOB_PARTITIONS partitions: a job belongs to the replica holding the partition its
# id maps to, so this is how many replicas of one stage can share its work. An existing topic with
# fewer is raised to it (Kafka cannot lower a topic's partition count).
JOB_PARTITIONS="${JOB_PARTITIONS:-6}"

topics() {
  fetch_libs
  for t in "${TOPICS[@]}"; do
    local partitions=1
    case "$t" in *-jobs) partitions=$JOB_PARTITIONS ;; job-events) partitions=3 ;; esac
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "localhost:$PORT" \
      --create --if-not-exists --topic "$t" --partitions "$partitions" --replication-factor 1 >/dev/null
    case "$t" in
      *-jobs) kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "localhost:$PORT" \
                --alter --topic "$t" --partitions "$partitions" >/dev/null 2>&1 || true ;;
    esac
  done
  echo "kafka: topics ready: ${TOPICS[*]}" >&2
  scram_user
}

# The SCRAM user of the SASL listener's test, with dataset-service's ACLs: its own job topic (read
# and write), its DLQ, the next stage's topic and job-events (write; job-events also read, for the
# pipelines' view), its consumer groups and those of its event streams (prefix dataset-service-events-).
scram_user() {
  local b=(--bootstrap-server "localhost:$PORT")
  kafka_java kafka.admin.ConfigCommand "${b[@]}" --alter --entity-type users \
    --entity-name dataset-service --add-config "SCRAM-SHA-512=[password=$SCRAM_PASSWORD]" >/dev/null
  # three tool starts for all of them (each start of a Kafka tool costs ~2 s)
  local acl=(org.apache.kafka.tools.AclCommand "${b[@]}" --add --allow-principal User:dataset-service)
  kafka_java "${acl[@]}" --operation Write --operation Describe --topic dataset-jobs \
    --topic dataset-jobs-dlq --topic training-jobs --topic job-events >/dev/null
  kafka_java "${acl[@]}" --operation Read --operation Describe --topic dataset-jobs \
    --topic job-events --group dataset-service --group dataset-service-pipelines >/dev/null
  kafka_java "${acl[@]}" --operation Read --operation Describe --resource-pattern-type prefixed \
    --group dataset-service-events- >/dev/null
  echo "kafka: SCRAM user dataset-service on localhost:$SASL_PORT" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) listening ;;
  topics) topics ;;
  run) shift; fetch_libs; kafka_java "$@" ;;
  *) echo "usage: $0 start|stop|status|topics|run CLASS ARGS..." >&2; exit 2 ;;
esac
