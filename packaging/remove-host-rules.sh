#!/bin/sh
# Remove the firewall rules pouchd keeps for bridge networks (comment "pouch:BRIDGE"): what to run
# after deleting a bridge by hand, or when uninstalling. pouchd removes a network's rules with the
# network; the default network's stay, as docker0's do.
#   packaging/remove-host-rules.sh BRIDGE...
[ $# -ge 1 ] || { echo "usage: $0 BRIDGE..." >&2; exit 2; }
command -v iptables > /dev/null || exit 0
for bridge in "$@"; do
        for table in filter nat; do
                iptables -w -t "$table" -S 2> /dev/null | grep -E -- "--comment \"?pouch:$bridge\"? " |
                        sed 's/^-A /-D /' | while read -r rule; do
                                # the words of the rule as -S printed them (the comment may be quoted)
                                eval iptables -w -t "$table" "$rule" 2> /dev/null || true
                        done
        done
done
