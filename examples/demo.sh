#!/usr/bin/env bash
# The whole lotusctl story in a sandbox that needs no Mac: a temporary HOME, the launchctl test double
# (test/fakes/bin/launchctl) standing in for launchd, and the fake lotus daemon (test/fakes/bin/lotus).
# Run it with `npm run demo` (which builds first). Nothing outside the sandbox is touched.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$repo/dist/cli/main.js" ] || { echo "demo: run 'npm run build' first (npm run demo does)" >&2; exit 1; }

sandbox=$(mktemp -d "${TMPDIR:-/tmp}/lotusctl-demo.XXXXXX")
export HOME="$sandbox/home" FAKE_LAUNCHD_DIR="$sandbox/launchd" LOTUSCTL_LAUNCHCTL="$repo/test/fakes/bin/launchctl"
export FAKE_LAUNCHD_OWNER_PID=$$ NO_COLOR=${NO_COLOR-}
# The fake lotus is a node script that holds repo.lock through python; a Mac's lotus needs neither. The sandbox's
# launchd hands both to its jobs, as part of the machine, so lotus.yaml and the plan stay what a user would see.
FAKE_LAUNCHD_JOB_ENV=$(printf '{"FAKE_LOTUS_NODE":"%s","FAKE_LOTUS_PYTHON":"%s"}' "$(command -v node)" "$(python3 -c 'import sys,os; print(os.path.realpath(sys.executable))')")
export FAKE_LAUNCHD_JOB_ENV
mkdir -p "$HOME" "$sandbox/bin"
ln -s "$repo/test/fakes/bin/lotus" "$sandbox/bin/lotus"
export PATH="$sandbox/bin:$PATH"
uid=$(id -u)

cleanup() {
  "$LOTUSCTL_LAUNCHCTL" __fake_shutdown >/dev/null 2>&1 || true
  rm -rf "$sandbox"
}
trap cleanup EXIT

lotusctl() { node "$repo/dist/cli/main.js" "$@"; }
if [ -n "${NO_COLOR:-}" ] || [ ! -t 1 ]; then bold=''; plain=''; else bold=$'\033[1m'; plain=$'\033[0m'; fi
step() { printf '\n%s== %s%s\n$ %s\n' "$bold" "$1" "$plain" "$2"; }

cp "$repo/examples/demo/lotus.yaml" "$sandbox/lotus.yaml"
cd "$sandbox"

step "1. Validate the spec" "lotusctl validate"
lotusctl validate

step "2. A broken spec gets file:line:col errors and changes nothing" "lotusctl validate -f broken.yaml"
sed -e 's/exit_timeout: 120s/exit_timout: 120s/' -e 's/throttle_interval: 2s/throttle_interval: soon/' lotus.yaml > broken.yaml
lotusctl validate -f broken.yaml 2>&1 || echo "(exit code $?)"

step "3. Plan: what would change" "lotusctl plan --detailed-exitcode"
lotusctl plan --detailed-exitcode || echo "(exit code $? = changes present)"

step "4. Apply: write the plist, bootstrap the job, wait until Lotus answers" "lotusctl apply --auto-approve"
lotusctl apply --auto-approve

step "5. launchd's view of the job (the launchctl double)" "launchctl print gui/$uid/com.lotusctl.daemon | head -30"
"$LOTUSCTL_LAUNCHCTL" print "gui/$uid/com.lotusctl.daemon" | head -30

step "6. The fake Lotus node answers on its API" "lotus sync status"
LOTUS_PATH="$HOME/.lotus" lotus sync status

step "7. Apply again: nothing to do" "lotusctl apply --auto-approve"
lotusctl apply --auto-approve

step "7b. The monitor job probes the node; the node stalls, and the monitor restarts it" "echo '{\"scenario\":[\"stalled\"],\"stallBehindEpochs\":20}' > ~/.lotus/fake-lotus.json"
monlog="$HOME/Library/Logs/lotusctl/monitor.out.log"
# The monitor writes one JSON object per line (for log shippers); show its events as a person would read them.
events() { node -e '
  for (const line of require("fs").readFileSync(0, "utf8").split("\n")) {
    let e; try { e = JSON.parse(line); } catch { continue; }
    if (!["status", "restart", "restart-held", "restart-failed", "breaker-open", "breaker-closed"].includes(e.event)) continue;
    const why = e.event === "status" && e.reasons && e.reasons.length ? ` (${e.reasons.join("; ")})` : "";
    console.log(`  ${String(e.time).slice(11, 19)}  ${e.msg}${why}`);
  }'; }
shown=0
# follow SECONDS PATTERN: print the monitor's events as they arrive, until one matches PATTERN.
follow() {
  local deadline=$((SECONDS + $1)) new total
  while :; do
    total=$(wc -l < "$monlog" 2>/dev/null || echo 0)
    if [ "$total" -gt "$shown" ]; then
      new=$(sed -n "$((shown + 1)),${total}p" "$monlog")
      shown=$total
      printf '%s\n' "$new" | events
      if printf '%s\n' "$new" | grep -q "$2"; then return 0; fi
    fi
    [ "$SECONDS" -lt "$deadline" ] || { echo "demo: timed out waiting for $2 in $monlog" >&2; return 1; }
    sleep 0.5
  done
}
echo "monitor events (from $monlog):"
follow 60 '"event":"status".*"status":"healthy"'
echo '{"scenario":["stalled"],"stallBehindEpochs":20}' > "$HOME/.lotus/fake-lotus.json"
follow 90 '"event":"restart"'
rm -f "$HOME/.lotus/fake-lotus.json"   # the restarted node syncs again
follow 90 '"event":"status".*"status":"healthy"'
echo "metrics for Prometheus (textfile collector), after the recovery:"
grep -E '^lotusctl_(service_up|restarts_total|chain_lag_epochs)' "$HOME/Library/Application Support/lotusctl/metrics.prom" || true

step "7c. Status: launchd's view, the process, and health as the monitor last saw it (exit 2 = not all well)" "lotusctl status"
lotusctl status || echo "(exit code $?)"

step "8. Someone edits the plist and boots the job out by hand" "launchctl bootout gui/$uid/com.lotusctl.daemon"
"$LOTUSCTL_LAUNCHCTL" bootout "gui/$uid/com.lotusctl.daemon"
sed -i.bak 's|<integer>120</integer>|<integer>5</integer>|' "$HOME/Library/LaunchAgents/com.lotusctl.daemon.plist" && rm -f "$HOME/Library/LaunchAgents/com.lotusctl.daemon.plist.bak"

step "9. Drift detection (exit 2 = drift)" "lotusctl drift"
lotusctl drift || echo "(exit code $?)"

step "9b. Doctor: every check, each with its fix (exit 1 = a failure)" "lotusctl doctor"
lotusctl doctor || echo "(exit code $?)"

step "10. Plan shows the repair" "lotusctl plan --out repair.plan"
lotusctl plan --out repair.plan

step "11. Apply exactly the saved plan" "lotusctl apply repair.plan"
lotusctl apply repair.plan

step "12. Machine-readable plan for provisioning scripts" "lotusctl plan --json | head -20"
lotusctl plan --json | head -20

step "13. Destroy: remove the jobs; the Lotus repo stays" "lotusctl destroy --auto-approve"
lotusctl destroy --auto-approve
echo "Lotus repo still there: $(ls "$HOME/.lotus" | tr '\n' ' ')"

printf '\n%sDemo complete.%s\n' "$bold" "$plain"
