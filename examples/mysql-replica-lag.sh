#!/bin/sh
# mysql-replica-lag.sh MAX_LAG_SECONDS [WARN_LAG_SECONDS]
#
# A healthcheckd command check for a MySQL or MariaDB replica: it passes while
# replication runs and the replica is at most MAX_LAG_SECONDS behind its
# primary, so a lagging or broken replica leaves the pool and comes back once it
# has caught up.
#
#   exit 0  pass   lag <= WARN (or <= MAX when no WARN is given)
#   exit 1  warn   WARN < lag <= MAX      (configure warn_exit_codes = 1)
#   exit 2  fail   lag > MAX; lag NULL (a replication thread stopped or broken);
#                  not a replica (empty status); the client cannot connect or
#                  is refused
#   exit 3  usage  bad arguments (fails the check too: it is not 0 nor 1)
#
# Exit 1 is never a failure, so that warn_exit_codes = 1 can say "lagging a
# bit, still serving". The first line of output says why, with the lag as
# Nagios performance data after `|` (healthcheckd shows it in health+json and
# as healthcheckd_check_perfdata{label="lag"} in /metrics), e.g.
#   lag 3s <= 30s | lag=3s;;30;0
#   lag 45s > max 30s | lag=45s;;30;0
#   replication not running: Slave_IO_Running=No, lag NULL (Last_IO_Error: error reconnecting ...)
#
# Environment:
#   MYSQL_OPTS         extra client options, split on white space, never
#                      globbed nor evaluated, e.g.
#                      MYSQL_OPTS='--defaults-extra-file=/etc/healthcheckd/my.cnf --socket=/run/mysqld/mysqld.sock'
#                      (a path holding spaces belongs in a defaults file).
#                      Later options win, so --connect-timeout can be changed here.
#   MYSQL_CLIENT       the client program; default mariadb if installed, else mysql.
#   MYSQL_STATUS_FILE  read the SHOW REPLICA STATUS\G text from this file instead
#                      of asking the server (tests, or a status captured elsewhere).
#
# Privileges: REPLICATION CLIENT (MySQL, MariaDB before 10.5.9) or
# REPLICA MONITOR / SLAVE MONITOR (MariaDB 10.5.9 and later). Keep the password
# out of the command line: put user and password in a defaults file readable
# only by the user that runs the checks (`user` in [healthcheckd]):
#   [client]
#   user = healthcheck
#   password = ...
#
# Both spellings of the fields are understood: MySQL 8.0.22+ answers SHOW
# REPLICA STATUS with Replica_IO_Running / Seconds_Behind_Source, MariaDB and
# older MySQL with Slave_IO_Running / Seconds_Behind_Master. SHOW REPLICA
# STATUS is tried first; a server that does not know it (MariaDB before 10.5,
# MySQL before 8.0.22) is asked SHOW SLAVE STATUS instead. With several
# replication channels, every channel must be healthy; the worst one decides.

set -u

PASS=0
WARN=1
FAIL=2
USAGE=3

usage() {
  echo "usage: mysql-replica-lag.sh MAX_LAG_SECONDS [WARN_LAG_SECONDS] (whole seconds, WARN <= MAX)" >&2
  exit "$USAGE"
}

is_count() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
    *) return 0 ;;
  esac
}

# parse_status: reads `SHOW REPLICA STATUS\G` (vertical) output on stdin and
# prints one line per field: ROW<TAB>NAME<TAB>VALUE. Field names are trimmed;
# a value loses the single space after the colon and trailing white space
# (CR included), and keeps any colons of its own. Lines before the first row
# marker count as row 1 (a client run without \G row markers); a line that is
# not `Name: value` continues the previous field's value (an error message
# with a newline in it).
parse_status() {
  awk '
    BEGIN { row = 0; field = "" }
    { sub(/\r$/, "") }
    /^\*+ *[0-9]+\. row *\*+[ \t]*$/ { row++; field = ""; next }
    /^[ \t]*[A-Za-z][A-Za-z0-9_]*:/ {
      if (row == 0) row = 1
      colon = index($0, ":")
      name = substr($0, 1, colon - 1)
      value = substr($0, colon + 1)
      gsub(/^[ \t]+|[ \t]+$/, "", name)
      sub(/^ /, "", value)
      sub(/[ \t]+$/, "", value)
      field = name
      printf "%d\t%s\t%s\n", row, name, value
      next
    }
    field != "" {
      line = $0
      sub(/[ \t]+$/, "", line)
      if (line != "") printf "%d\t%s\t%s\n", row, field, line
    }
  '
}

# judge_status MAX WARN: reads parse_status lines on stdin, prints the verdict
# (one line per channel, worst first) and exits 0, 1 or 2. WARN may be empty.
judge_status() {
  awk -v max="$1" -v warn="$2" '
    BEGIN { FS = "\t"; rows = 0 }
    {
      r = $1 + 0
      if (r > rows) rows = r
      name = $2
      value = substr($0, length($1) + length($2) + 3)
      if (seen[r, name]) value = val[r, name] "\\n" value
      seen[r, name] = 1
      val[r, name] = value
    }
    function get(r, a, b) {
      if ((r, a) in val) return val[r, a]
      if ((r, b) in val) return val[r, b]
      return ""
    }
    function has(r, a, b) { return ((r, a) in val) || ((r, b) in val) }
    function pick(r, a, b) { return ((r, a) in val) ? a : b }
    function verdict(r,    io, sql, ioName, sqlName, lag, msg, err, code, channel) {
      ioName = pick(r, "Replica_IO_Running", "Slave_IO_Running")
      sqlName = pick(r, "Replica_SQL_Running", "Slave_SQL_Running")
      io = get(r, "Replica_IO_Running", "Slave_IO_Running")
      sql = get(r, "Replica_SQL_Running", "Slave_SQL_Running")
      lag = get(r, "Seconds_Behind_Source", "Seconds_Behind_Master")
      if (!has(r, "Seconds_Behind_Source", "Seconds_Behind_Master")) {
        code = 2
        msg = "no Seconds_Behind_Source or Seconds_Behind_Master in the replica status"
      } else if ((has(r, "Replica_IO_Running", "Slave_IO_Running") && io != "Yes") ||
                 (has(r, "Replica_SQL_Running", "Slave_SQL_Running") && sql != "Yes") ||
                 lag !~ /^[0-9]+$/) {
        code = 2
        msg = ""
        if (has(r, "Replica_IO_Running", "Slave_IO_Running") && io != "Yes")
          msg = ioName "=" (io == "" ? "(empty)" : io)
        if (has(r, "Replica_SQL_Running", "Slave_SQL_Running") && sql != "Yes")
          msg = msg (msg == "" ? "" : ", ") sqlName "=" (sql == "" ? "(empty)" : sql)
        if (msg == "") msg = "lag " (lag == "" ? "(empty)" : lag)
        else if (lag !~ /^[0-9]+$/) msg = msg ", lag " (lag == "" ? "(empty)" : lag)
        msg = "replication not running: " msg
        err = get(r, "Last_IO_Error", "Last_IO_Error")
        if (err != "") msg = msg " (Last_IO_Error: " err ")"
        err = get(r, "Last_SQL_Error", "Last_SQL_Error")
        if (err != "") msg = msg " (Last_SQL_Error: " err ")"
      } else if (lag + 0 > max + 0) {
        code = 2
        msg = "lag " lag "s > max " max "s"
      } else if (warn != "" && lag + 0 > warn + 0) {
        code = 1
        msg = "lag " lag "s > warn " warn "s (max " max "s)"
      } else {
        code = 0
        msg = "lag " lag "s <= " (warn != "" ? warn "s (max " max "s)" : max "s")
      }
      channel = get(r, "Channel_Name", "Connection_name")
      if (rows > 1 || channel != "") msg = "channel \"" channel "\": " msg
      if (lag ~ /^[0-9]+$/) perf = perf (perf == "" ? "" : " ") perfItem(channel != "" ? "lag " channel : "lag", lag)
      verdictCode[r] = code
      verdictMsg[r] = msg
      return code
    }
    # perfItem LABEL LAG: one Nagios perfdata item, lag=12s;WARN;MAX;0; a label with
    # spaces or quotes is quoted, a quote doubled (the plugin guidelines).
    function perfItem(label, lag) {
      if (label ~ /[ \047=]/) { gsub(/\047/, "\047\047", label); label = "\047" label "\047" }
      return label "=" lag "s;" warn ";" max ";0"
    }
    END {
      if (rows == 0) {
        print "not a replica: the replica status is empty (no replication configured on this server)"
        exit 2
      }
      worst = 0
      for (r = 1; r <= rows; r++) {
        c = verdict(r)
        if (c > worst) worst = c
      }
      first = 1
      for (c = 2; c >= 0; c--)
        for (r = 1; r <= rows; r++)
          if (verdictCode[r] == c) {
            # Performance data after the first line, so the lag is a figure in /metrics.
            if (first && perf != "") print verdictMsg[r] " | " perf
            else print verdictMsg[r]
            first = 0
          }
      exit worst
    }
  '
}

# client: the mysql/mariadb client to use.
client() {
  if [ -n "${MYSQL_CLIENT:-}" ]; then
    printf '%s\n' "$MYSQL_CLIENT"
  elif command -v mariadb >/dev/null 2>&1; then
    echo mariadb
  elif command -v mysql >/dev/null 2>&1; then
    echo mysql
  else
    return 1
  fi
}

# fetch_status: prints the replica status text, or explains why not and fails.
fetch_status() {
  if ! prog=$(client); then
    echo "cannot ask the server: neither the mariadb nor the mysql client is installed (or set MYSQL_CLIENT)"
    return 1
  fi
  errfile=$(mktemp "${TMPDIR:-/tmp}/mysql-replica-lag.XXXXXX") || {
    echo "cannot create a temporary file in ${TMPDIR:-/tmp}"
    return 1
  }
  if out=$(query_statement 'SHOW REPLICA STATUS' 2>"$errfile"); then
    rm -f "$errfile"
    printf '%s\n' "$out"
    return 0
  fi
  # ERROR 1064: the server does not know SHOW REPLICA STATUS (MariaDB < 10.5,
  # MySQL < 8.0.22). Any other error (cannot connect, access denied) is final.
  if grep -q 'ERROR 1064' "$errfile" &&
    out=$(query_statement 'SHOW SLAVE STATUS' 2>"$errfile"); then
    rm -f "$errfile"
    printf '%s\n' "$out"
    return 0
  fi
  error=$(tr '\n' ' ' <"$errfile" | sed 's/ *$//')
  rm -f "$errfile"
  printf 'cannot read the replica status with %s: %s\n' "$prog" "${error:-the client failed without a message}"
  return 1
}

# query_statement STATEMENT: runs STATEMENT\G with the client; stdout is the
# status text, stderr the client's error. MYSQL_OPTS is split into words with
# globbing off, so its words reach the client as they are, one argument each,
# and come first (the client wants --defaults-extra-file before anything else).
# --connect-timeout=2 is added unless MYSQL_OPTS sets a connect timeout.
query_statement() {
  (
    statement=$1
    set -f
    # shellcheck disable=SC2086 # word splitting of MYSQL_OPTS is intended
    set -- ${MYSQL_OPTS:-}
    timeout=--connect-timeout=2
    for option in "$@"; do
      case $option in
        --connect-timeout=* | --connect_timeout=*) timeout= ;;
      esac
    done
    exec "$prog" "$@" ${timeout:+"$timeout"} -e "$statement\\G"
  )
}

main() {
  if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
  max=$1
  warn=${2:-}
  is_count "$max" || usage
  if [ -n "$warn" ]; then
    is_count "$warn" || usage
    [ "$warn" -le "$max" ] || usage
  fi

  if [ -n "${MYSQL_STATUS_FILE:-}" ]; then
    if [ ! -r "$MYSQL_STATUS_FILE" ]; then
      echo "cannot read MYSQL_STATUS_FILE $MYSQL_STATUS_FILE"
      exit "$FAIL"
    fi
    status=$(cat "$MYSQL_STATUS_FILE")
  else
    status=$(fetch_status) || {
      printf '%s\n' "$status"
      exit "$FAIL"
    }
  fi

  printf '%s\n' "$status" | parse_status | judge_status "$max" "$warn"
  code=$?
  case $code in
    "$PASS" | "$WARN" | "$FAIL") exit "$code" ;;
    *) exit "$FAIL" ;;
  esac
}

main "$@"
