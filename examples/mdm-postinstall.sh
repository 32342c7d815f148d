#!/bin/bash
# MDM post-install script (a Jamf Pro policy script, a Kandji custom script, a Munki postinstall_script): makes this
# Mac's Lotus launchd jobs match lotus.yaml with lotusctl and answers with its exit code only, as MDM agents read it:
#   0  the Mac matches lotus.yaml (there was nothing to do, or the plan was applied)
#   1  not done: lotus.yaml is broken, lotusctl is missing, apply failed or was refused (the log says why)
# With --check (a Kandji audit script, a Jamf policy that only reports) nothing changes: 0 when the Mac matches
# lotus.yaml, 1 when apply would change something (or the check failed).
#
# How: `lotusctl plan --detailed-exitcode --out PLAN` (exit 0: nothing to do, 2: changes, 1: error), then
# `lotusctl apply PLAN`, which carries out exactly that plan and refuses it if the machine changed in between.
# MDM agents run scripts as root, so the jobs are LaunchDaemons (domain: system, see examples/system-daemon.yaml);
# per-user LaunchAgents are better provisioned over SSH (the Ansible role, README "Many Macs").
#
# Settings, from the environment or, under Jamf, script parameters 4 and 5 (Jamf passes "/", the computer name and
# the user as $1-$3):
#   LOTUSCTL_SPEC  lotus.yaml               default /Library/Application Support/lotusctl/lotus.yaml   (Jamf: $4)
#   LOTUSCTL_MODE  apply or check           default apply; --check on the command line too               (Jamf: $5)
#   LOTUSCTL_BIN   the lotusctl binary      default lotusctl from /opt/homebrew/bin, /usr/local/bin or PATH
#   LOTUSCTL_LOG   where everything goes    default /Library/Logs/lotusctl-mdm.log
# test/integration/examples.test.ts runs this script against the test doubles.
set -u

spec=${LOTUSCTL_SPEC:-}
mode=${LOTUSCTL_MODE:-apply}
if [ "$#" -ge 4 ] && [ "${1:-}" = "/" ]; then
  # Jamf Pro: $1 target volume, $2 computer name, $3 user, then the policy's parameters.
  [ -n "${4:-}" ] && spec=$4
  [ -n "${5:-}" ] && mode=$5
  shift "$#"
fi
for arg in "$@"; do
  case $arg in
    --check) mode=check ;;
    --apply) mode=apply ;;
    -*) echo "mdm-postinstall: unknown option $arg" >&2; exit 1 ;;
    *) spec=$arg ;;
  esac
done
spec=${spec:-/Library/Application Support/lotusctl/lotus.yaml}
log_file=${LOTUSCTL_LOG:-/Library/Logs/lotusctl-mdm.log}
# MDM agents start scripts with a minimal PATH; lotusctl's `#!/usr/bin/env node` needs node (npm installs it alongside).
export PATH="$PATH:/opt/homebrew/bin:/usr/local/bin"
bin=${LOTUSCTL_BIN:-$(command -v lotusctl || true)}
case $bin in */*) export PATH="${bin%/*}:$PATH" ;; esac
export NO_COLOR=1

mkdir -p "$(dirname "$log_file")"
log() { printf '%s mdm-postinstall: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"$log_file"; }
# One line for the MDM's own policy log; the details are in $log_file.
finish() { log "$2 (exit $1)"; echo "lotusctl: $2 (details: $log_file)"; exit "$1"; }

case $mode in apply | check) ;; *) finish 1 "unknown mode \"$mode\" (apply or check)" ;; esac
[ -n "$bin" ] && [ -x "$bin" ] || finish 1 "lotusctl not found (set LOTUSCTL_BIN, or install it: npm install -g lotusctl)"
[ -f "$spec" ] || finish 1 "no lotus.yaml at $spec"

plan=$(mktemp "${TMPDIR:-/tmp}/lotusctl-mdm.XXXXXX") || finish 1 "cannot create a temporary file"
# The saved plan holds the plists' bytes, secrets included (mktemp makes it 0600): never leave it behind.
trap 'rm -f "$plan"' EXIT
log "$mode $spec with $bin ($("$bin" --version 2>/dev/null || echo 'version unknown'))"

"$bin" plan --file "$spec" --detailed-exitcode --out "$plan" >>"$log_file" 2>&1
rc=$?
case $rc in
  0) finish 0 "no changes: the Mac matches $spec" ;;
  2) ;;
  *) finish 1 "lotusctl plan failed (exit $rc): nothing was changed" ;;
esac
[ "$mode" = check ] && finish 1 "changes pending: apply would change this Mac (see the plan in the log)"

"$bin" apply "$plan" >>"$log_file" 2>&1
rc=$?
[ "$rc" -eq 0 ] || finish 1 "lotusctl apply failed (exit $rc)"
finish 0 "changes applied: the Mac matches $spec"
