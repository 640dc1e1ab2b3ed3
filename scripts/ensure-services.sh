#!/usr/bin/env bash
# Starts PostgreSQL, MariaDB and Redis when they are down (DESIGN §7) and fails loudly if one
# cannot be reached afterwards. Idempotent: services already up are left alone.
set -uo pipefail

wait_for() { # name, check command...
  local name=$1; shift
  for _ in $(seq 1 60); do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "FATAL: $name is not reachable after starting it; the test suite needs it (see README, 'Test services')." >&2
  return 1
}

pg_up() { pg_isready -h 127.0.0.1 -p 5432 -U postgres; }
if ! pg_up >/dev/null 2>&1; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL pg_up || exit 1

redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG; }
if ! redis_up >/dev/null 2>&1; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
fi
wait_for Redis redis_up || exit 1

maria_up() { mariadb -h 127.0.0.1 -P 3306 -u root -e 'SELECT 1'; }
if ! maria_up >/dev/null 2>&1; then
  echo "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true
fi
wait_for MariaDB maria_up || exit 1

echo "services up: PostgreSQL, Redis, MariaDB"
