#!/bin/sh
# cpu-pool.sh [MAX_BUSY_PERCENT [WARN_BUSY_PERCENT]]
# cpu-pool.sh --weight
#
# Takes a worker out of the pool while its CPU is saturated. It samples the
# aggregate "cpu" line of /proc/stat twice, SAMPLE_SECONDS apart, and computes
# how busy all the CPUs together were in between (100% = every core busy).
#
#   exit 0  pass   busy <= WARN (or <= MAX when no WARN is given)
#   exit 1  warn   WARN < busy <= MAX     (configure warn_exit_codes = 1)
#   exit 2  fail   busy > MAX, or /proc/stat cannot be read
#   exit 3  usage  bad arguments (fails the check too: it is not 0 nor 1)
#
# MAX defaults to 90. Output: `cpu busy 42% (max 90%)`.
#
# --weight prints only the idle share as an HAProxy agent weight, `73%`, never
# below 1% (a weight of 0% would take the server out: that is the check's job),
# for `[agent] weight = command:/usr/local/lib/healthcheckd/cpu-pool.sh --weight`.
#
# Busy is everything but idle and iowait (user, nice, system, irq, softirq and
# steal: time the hypervisor gave to others is time this worker did not get).
# guest and guest_nice are already inside user and nice and are not counted
# twice.
#
# Inside a container /proc/stat describes the whole host, not the container's
# CPU quota; use it on hosts and VMs, or where the container has the host to
# itself.
#
# Environment:
#   SAMPLE_SECONDS   time between the two samples, default 1 (fractions such
#                    as 0.5 work where sleep accepts them, as GNU sleep does).
#                    Keep it well under the check's timeout.
#   PROC_STAT_FILES  "FIRST SECOND": read the two samples from these files
#                    instead of /proc/stat, without sleeping (tests).

set -u

PASS=0
WARN=1
FAIL=2
USAGE=3

usage() {
  echo "usage: cpu-pool.sh [MAX_BUSY_PERCENT [WARN_BUSY_PERCENT]] | cpu-pool.sh --weight (percent 0-100, WARN <= MAX)" >&2
  exit "$USAGE"
}

is_percent() {
  case $1 in
    '' | *[!0-9]*) return 1 ;;
  esac
  [ "$1" -le 100 ]
}

# cpu_times FILE: prints "IDLE TOTAL" (clock ticks) from the aggregate cpu line.
cpu_times() {
  [ -r "$1" ] || return 1
  awk '
    $1 == "cpu" {
      total = 0
      for (i = 2; i <= NF && i <= 9; i++) total += $i
      idle = $5 + (NF >= 6 ? $6 : 0)
      printf "%.0f %.0f\n", idle, total
      found = 1
      exit
    }
    END { if (!found) exit 1 }
  ' "$1"
}

# idle_percent "IDLE1 TOTAL1" "IDLE2 TOTAL2": the rounded idle share between
# the two samples, 0-100; fails when no time passed between them.
idle_percent() {
  awk -v a="$1" -v b="$2" '
    BEGIN {
      split(a, first, " ")
      split(b, second, " ")
      didle = second[1] - first[1]
      dtotal = second[2] - first[2]
      if (dtotal <= 0 || didle < 0 || didle > dtotal) exit 1
      printf "%d\n", int(100 * didle / dtotal + 0.5)
    }
  '
}

# sample: prints the idle percent over the sampling period, or explains why
# not on stdout and fails.
sample() {
  if [ -n "${PROC_STAT_FILES:-}" ]; then
    # shellcheck disable=SC2086 # two file names, split on white space
    set -- $PROC_STAT_FILES
    if [ $# -ne 2 ]; then
      echo "PROC_STAT_FILES must name two files, found: $PROC_STAT_FILES"
      return 1
    fi
    first=$1
    second=$2
    pause=
  else
    first=/proc/stat
    second=/proc/stat
    pause=${SAMPLE_SECONDS:-1}
    case $pause in
      '' | *[!0-9.]* | *.*.* | . | .*) echo "SAMPLE_SECONDS must be a number of seconds, found: $pause"; return 1 ;;
    esac
  fi
  if ! before=$(cpu_times "$first"); then
    echo "cannot read the cpu line of $first"
    return 1
  fi
  if [ -n "$pause" ]; then sleep "$pause"; fi
  if ! after=$(cpu_times "$second"); then
    echo "cannot read the cpu line of $second"
    return 1
  fi
  if ! idle_percent "$before" "$after"; then
    echo "no CPU time passed between the two samples of $first and $second; raise SAMPLE_SECONDS"
    return 1
  fi
}

main() {
  if [ "${1:-}" = --weight ]; then
    [ $# -eq 1 ] || usage
    idle=$(sample) || {
      printf '%s\n' "$idle" >&2
      exit "$FAIL"
    }
    if [ "$idle" -lt 1 ]; then idle=1; fi
    echo "${idle}%"
    exit "$PASS"
  fi

  [ $# -le 2 ] || usage
  max=${1:-90}
  warn=${2:-}
  is_percent "$max" || usage
  if [ -n "$warn" ]; then
    is_percent "$warn" || usage
    [ "$warn" -le "$max" ] || usage
  fi

  idle=$(sample) || {
    printf '%s\n' "$idle"
    exit "$FAIL"
  }
  busy=$((100 - idle))
  if [ "$busy" -gt "$max" ]; then
    echo "cpu busy ${busy}% > max ${max}%"
    exit "$FAIL"
  elif [ -n "$warn" ] && [ "$busy" -gt "$warn" ]; then
    echo "cpu busy ${busy}% > warn ${warn}% (max ${max}%)"
    exit "$WARN"
  fi
  echo "cpu busy ${busy}% (max ${max}%)"
  exit "$PASS"
}

main "$@"
