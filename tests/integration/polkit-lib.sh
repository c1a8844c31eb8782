# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# A test user and polkit rules for it, for the tests of who may do what (45-polkit.sh, 61-roots.sh).
# Source after lib.sh, then: polkit_test_user NAME RULES-FILE (sets $uid, $gid, $rules; bails out
# when polkitd or the user cannot be had); grant ACTION... replaces the rule.

polkit_test_user() {
        user="$1"
        rules="$2"
        busctl status org.freedesktop.PolicyKit1 >/dev/null 2>&1 ||
                wait_until 10 busctl call org.freedesktop.PolicyKit1 /org/freedesktop/PolicyKit1/Authority \
                        org.freedesktop.DBus.Properties Get ss org.freedesktop.PolicyKit1.Authority BackendName ||
                bail_out "polkitd does not answer on the system bus"
        id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user" ||
                bail_out "useradd $user failed"
        uid="$(id -u "$user")"
        gid="$(id -g "$user")"
        mkdir -p "$(dirname "$rules")"
        defer rm -f "$rules"
}

as_user() { setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"; }

# refused DESC ACTION CMD...: CMD, run as the user, fails with a "Not authorized" error naming ACTION.
refused() {
        local desc="$1" action="$2" out rc=0; shift 2
        out="$(as_user "$@" 2>&1)" || rc=$?
        if [ "$rc" -ne 0 ] && grep -q "Not authorized to perform '$action'" <<< "$out"; then
                pass "$desc"
        else
                fail "$desc" "command: $*" "exit status: $rc" "output: $out"
        fi
}

# grant ACTION...: a polkit rule that gives the user these actions, and wait until polkitd has it.
grant() {
        local list
        list="$(printf '"%s",' "$@")"
        cat > "$rules.tmp" <<EOR
polkit.addRule(function(action, subject) {
        if (subject.user == "$user" && [${list%,}].indexOf(action.id) >= 0)
                return polkit.Result.YES;
});
EOR
        mv "$rules.tmp" "$rules"
        wait_until 10 granted "$1"
}
# polkitd reloads rules.d on inotify: ask it about a process of the user's own.
granted() { as_user sh -c 'exec pkcheck --action-id "$1" --process $$' sh "$1" >/dev/null 2>&1; }
not_granted() { ! granted "$1"; }
