#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The Bearer flow with credentials (issue 14), against registry-fake.py's "private" repository: the
# registry's challenge names the token server but no scope; dray must send the credentials to the
# token server with the scope repository:private:pull and the service, then retry with the token.
# Wrong credentials and none are refused clearly and name nothing. Only loopback traffic.
set -u -o pipefail
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

require python3 jq

command -v dray >/dev/null || bail_out "dray is not installed in the sandbox"
wait_until 10 drayd_ready || bail_out "drayd does not answer on the system bus"

mkdir -p "$TEST_DIR"
work="$(mktemp -d "$TEST_DIR/$TEST_NAME.XXXXXX")"
defer rm -rf "$work"
rmi() { dray image rm -f "$1" >/dev/null 2>&1 || true; }

python3 "$(dirname "$0")/registry-fake.py" "$work/fake.port" &
fakepid=$!
defer kill "$fakepid"
wait_until 10 test -s "$work/fake.port" || bail_out "the fake registry does not start"
fake="127.0.0.1:$(cat "$work/fake.port")"
dray logout "$fake" >/dev/null 2>&1

out="$(dray pull "$fake/private:1" 2>&1)"
like "$out" "wants credentials.*dray login" "without credentials the anonymous token is not enough: $(echo "$out" | tail -1)"
fails "and names nothing" dray image inspect "$fake/private:1"

ok "dray login --authfile with a wrong password" sh -c "echo wrong | dray login --authfile '$work/bad.json' -u alice --password-stdin '$fake'"
out="$(dray pull --authfile "$work/bad.json" "$fake/private:1" 2>&1)"
like "$out" "token server refused the credentials.*401" "the token server's 401 is named: $(echo "$out" | tail -1)"
fails "and names nothing" dray image inspect "$fake/private:1"

ok "dray login --authfile" sh -c "echo s3cret | dray login --authfile '$work/auth.json' -u alice --password-stdin '$fake'"
ok "dray pull --authfile: token for repository:private:pull with the credentials" \
        dray pull --authfile "$work/auth.json" "$fake/private:1"
defer rmi "$fake/private:1"
ok "the image is there" dray image inspect "$fake/private:1"
rmi "$fake/private:1"

ok "dray login (drayd's auth file)" sh -c "echo s3cret | dray login -u alice --password-stdin '$fake'"
defer sh -c "dray logout '$fake' >/dev/null 2>&1; true"
ok "dray pull with the stored login" dray pull "$fake/private:1"
ok "an anonymous repository still works with credentials stored" dray pull "$fake/good:1"
defer rmi "$fake/good:1"
ok "dray logout" dray logout "$fake"
rmi "$fake/private:1"
like "$(dray pull "$fake/private:1" 2>&1)" "wants credentials" "after logout the pull fails clearly again"
