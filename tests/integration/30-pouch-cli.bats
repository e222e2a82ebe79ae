#!/usr/bin/env bats
# The same everyday commands through our own CLI: `pouch -H unix://... CMD` (and POUCH_HOST).

bats_require_minimum_version 1.5.0
load helpers

setup_file() { pouchd_setup_file; }
teardown_file() { pouchd_teardown_file; }
teardown() { dump_log_on_failure; }

@test "pouch --help, every command's --help, and -v exit 0" {
        run "$BIN/pouch" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"Commands:"* ]]
        run "$BIN/pouch" -v
        [ "$status" -eq 0 ]
        cmds="$("$BIN/pouch" --help | awk '/^Commands:/ {c = 1; next} c && !NF {exit} c {print $1}')"
        [ "$(echo "$cmds" | wc -l)" -ge 25 ]
        for c in $cmds run create start stop restart kill pause unpause rm ps logs exec attach inspect wait rename \
                top cp images rmi tag load save import events version info; do
                run "$BIN/pouch" "$c" --help
                [ "$status" -eq 0 ] || { echo "pouch $c --help exited $status: $output"; false; }
                [[ "$output" == *"Usage:"*"$c"* ]] || { echo "pouch $c --help printed no usage: $output"; false; }
        done
        run "$BIN/pouch" no-such-command
        [ "$status" -ne 0 ]
}

@test "POUCH_HOST and -H select the daemon; a dead socket is a clear error" {
        run env POUCH_HOST="unix://$PSOCK" "$BIN/pouch" version
        [ "$status" -eq 0 ]
        [[ "$output" == *"1.41"* ]]
        run "$BIN/pouch" -H "unix://$PT/nothing.sock" ps
        [ "$status" -ne 0 ]
        [[ "$output" == *"nothing.sock"* ]]
        run pouch info
        [ "$status" -eq 0 ]
        [[ "$output" == *"Images: 1"* ]]
}

@test "pouch run: output, exit codes 0/5/125/126/127, --rm" {
        run --separate-stderr pouch run --rm busybox echo hi
        [ "$status" -eq 0 ]
        [ "$output" = "hi" ]
        run -5 pouch run --rm busybox sh -c 'exit 5'
        run -125 pouch run --rm -m 10x busybox true
        [[ "$output" == *"invalid"* ]]
        run -125 pouch run --rm --cap-add NOT_A_CAP busybox true
        run -126 pouch run --rm busybox /etc/passwd
        run -127 pouch run --rm busybox /no/such/binary
        run pouch ps -aq
        [ -z "$output" ]
}

@test "pouch run -i, -t, -e, --env-file, -w, -u, --hostname, --entrypoint, -l" {
        run bash -c 'echo via-stdin | "$BIN/pouch" run --rm -i busybox cat'
        [ "$output" = "via-stdin" ]
        if command -v script > /dev/null; then
                run script -qec "$BIN/pouch run --rm -t busybox sh -c 'tty; exit 3'" /dev/null
                [ "$status" -eq 3 ]
                [[ "$output" == *"/dev/pts/"* ]]
        fi
        printf 'A=1\nB=two words\n' > "$PT/envfile"
        run pouch run --rm -e X=x --env-file "$PT/envfile" -w /tmp -u 65534 -h phost busybox \
                sh -c 'echo "$X|$A|$B|$(pwd)|$(id -u)|$(hostname)"'
        [ "$output" = "x|1|two words|/tmp|65534|phost" ]
        run pouch run --rm --entrypoint /bin/echo busybox ep
        [ "$output" = "ep" ]
        pouch run -d --name pl -l a=b busybox sleep 1000
        run pouch inspect -f '{{index .Config.Labels "a"}}' pl
        [ "$output" = "b" ]
        pouch rm -f pl
}

@test "pouch create, start -a, wait, ps (-a, -q, -f, --format), inspect -f" {
        pouch create --name pc busybox sh -c 'echo from-pc; exit 7'
        run pouch ps -a -f name=pc --format '{{.Names}} {{.State}}'
        [ "$output" = "pc created" ]
        run -7 pouch start -a pc
        [ "$output" = "from-pc" ]
        run pouch wait pc
        [ "$output" = "7" ]
        run pouch inspect -f '{{.State.Status}} {{.State.ExitCode}}' pc
        [ "$output" = "exited 7" ]
        id="$(pouch run -d --name pr busybox sleep 1000)"
        run pouch ps -q
        [ "$output" = "${id:0:12}" ]
        run pouch ps --format '{{.Names}} {{.Status}}'
        [[ "$output" == "pr Up"* ]]
        run pouch ps -a -q
        [ "${#lines[@]}" -eq 2 ]
        pouch rm -f pc pr
        run pouch ps -aq
        [ -z "$output" ]
}

@test "pouch logs (--tail, -f), exec (-e, -w, -u, -i, -d, -t)" {
        pouch run -d --name pe busybox sh -c 'echo a; echo b; echo c; exec sleep 1000'
        wait_for 10 bash -c '"$BIN/pouch" logs pe | grep -q c'
        run pouch logs --tail 1 pe
        [ "$output" = "c" ]
        run -3 pouch exec pe sh -c 'exit 3'
        run pouch exec -e Y=y -w /tmp -u 65534 pe sh -c 'echo $Y $(pwd) $(id -u)'
        [ "$output" = "y /tmp 65534" ]
        run bash -c 'echo in | "$BIN/pouch" exec -i pe cat'
        [ "$output" = "in" ]
        pouch exec -d pe touch /tmp/pe-detached
        wait_for 10 pouch exec pe test -f /tmp/pe-detached
        if command -v script > /dev/null; then
                run script -qec "$BIN/pouch exec -it pe sh -c 'tty; exit 2'" /dev/null
                [ "$status" -eq 2 ]
                [[ "$output" == *"/dev/pts/"* ]]
        fi
        pouch rm -f pe
        pouch run -d --name pf busybox sh -c 'echo x1; sleep 1; echo x2'
        run timeout 20 "$BIN/pouch" logs -f pf
        [ "$status" -eq 0 ]
        [ "$output" = "$(printf 'x1\nx2')" ]
        pouch rm pf
}

@test "pouch stop, kill -s, restart, pause/unpause, top, rename, rm" {
        pouch run -d --name pk busybox sh -c 'trap "echo usr1" USR1; while true; do sleep 0.1; done'
        pouch kill -s USR1 pk
        wait_for 10 bash -c '"$BIN/pouch" logs pk | grep -q usr1'
        pouch pause pk
        wait_for 5 state_is pk paused
        pouch unpause pk
        wait_for 5 state_is pk running
        run pouch top pk
        [[ "$output" == *"PID"* ]]
        pid1="$(pouch inspect -f '{{.State.Pid}}' pk)"
        pouch restart -t 1 pk
        [ "$(state_of pk)" = running ]
        [ "$(pouch inspect -f '{{.State.Pid}}' pk)" != "$pid1" ]
        pouch rename pk pk2
        run pouch inspect pk
        [ "$status" -ne 0 ]
        run pouch rm pk2
        [ "$status" -ne 0 ]
        [[ "$output" == *"running"* ]]
        pouch stop -t 1 pk2
        run pouch inspect -f '{{.State.Status}} {{.State.ExitCode}}' pk2
        [ "$output" = "exited 137" ]
        pouch rm pk2
        run pouch inspect pk2
        [ "$status" -ne 0 ]
}

@test "pouch cp both ways" {
        pouch run -d --name pcp busybox sleep 1000
        echo to-container > "$PT/pcp.txt"
        pouch cp "$PT/pcp.txt" pcp:/tmp/
        run pouch exec pcp cat /tmp/pcp.txt
        [ "$output" = "to-container" ]
        # to a new name, and over an existing file, as docker cp does
        pouch cp "$PT/pcp.txt" pcp:/tmp/renamed.txt
        run pouch exec pcp cat /tmp/renamed.txt
        [ "$output" = "to-container" ]
        echo second > "$PT/pcp.txt"
        pouch cp "$PT/pcp.txt" pcp:/tmp/renamed.txt
        run pouch exec pcp cat /tmp/renamed.txt
        [ "$output" = "second" ]
        pouch exec pcp sh -c 'mkdir /d && echo back > /d/f'
        pouch cp pcp:/d "$PT/pcp-out"
        [ "$(cat "$PT/pcp-out/f")" = "back" ]
        # into an existing local directory, and a file to a new local name
        pouch cp pcp:/d "$PT/pcp-out"
        [ "$(cat "$PT/pcp-out/d/f")" = "back" ]
        pouch cp pcp:/d/f "$PT/pcp-file"
        [ "$(cat "$PT/pcp-file")" = "back" ]
        # a local directory to a new name in the container
        mkdir -p "$PT/pcp-dir/sub" && echo deep > "$PT/pcp-dir/sub/x"
        pouch cp "$PT/pcp-dir" pcp:/newdir
        run pouch exec pcp cat /newdir/sub/x
        [ "$output" = "deep" ]
        # errors: a missing source, a directory over a file, an unknown container
        run pouch cp pcp:/no/such/file "$PT/x"
        [ "$status" -ne 0 ]
        [[ "$output" == *"/no/such/file"* ]]
        run pouch cp "$PT/pcp-dir" pcp:/tmp/renamed.txt
        [ "$status" -ne 0 ]
        [[ "$output" == *"directory to a file"* ]]
        run pouch cp "$PT/pcp.txt" nosuchctr:/tmp/
        [ "$status" -ne 0 ]
        [[ "$output" == *"No such container"* ]]
        [ ! -e "$PT/x" ]
        pouch rm -f pcp
}

@test "pouch images, tag, rmi, save | load, import FILE and -" {
        run pouch images
        [[ "$output" == *busybox*latest* ]]
        pouch tag busybox busybox:p2
        run pouch images -q busybox:p2
        [ -n "$output" ]
        pouch import "$PBUSYBOX" pimp:1
        pouch save -o "$PT/pimp.tar" pimp:1
        pouch rmi pimp:1
        run pouch inspect pimp:1
        [ "$status" -ne 0 ]
        run pouch load -i "$PT/pimp.tar"
        [ "$status" -eq 0 ]
        [[ "$output" == *"Loaded image: pimp:1"* ]]
        run bash -c '"$BIN/pouch" save busybox:p2 | "$BIN/pouch" load'
        [ "$status" -eq 0 ]
        run bash -c '"$BIN/pouch" import - pimp:2 < "$PBUSYBOX"'
        [ "$status" -eq 0 ]
        run pouch run --rm pimp:2 echo from-stdin-import
        [ "$output" = "from-stdin-import" ]
        pouch rmi pimp:1 pimp:2 busybox:p2
        run pouch images --format '{{.Repository}}:{{.Tag}}'
        [ "$output" = "busybox:latest" ]
}

@test "pouch events --since/--until with filters" {
        start="$(date +%s)"
        pouch run --rm --name pev busybox true
        sleep 1
        run pouch events --since "$start" --until "$(date +%s)" -f container=pev -f event=die
        [ "$status" -eq 0 ]
        [ "${#lines[@]}" -eq 1 ]
        [ "$(echo "$output" | jq -r '.Action + " " + .Actor.Attributes.name + " " + .Actor.Attributes.exitCode')" = "die pev 0" ]
}
