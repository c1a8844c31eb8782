#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# The committed introspection data (dbus/org.dray1.*.xml) must be what drayd's vtables produce.
# Usage: test-daemon-introspect.sh DRAYD DBUS-DIR. Regenerate with: ninja -C build update-dbus-introspection
set -eu
drayd="$1"
committed="$2"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$drayd" --bus-introspect="$tmp"
status=0
for f in org.dray1.Manager.xml org.dray1.Container.xml org.dray1.Image.xml org.dray1.Transfer.xml org.dray1.Network.xml org.dray1.Volume.xml; do
        if ! diff -u "$committed/$f" "$tmp/$f"; then
                echo "$f is out of date: run 'ninja -C <builddir> update-dbus-introspection' and commit it." >&2
                status=1
        fi
done
exit $status
