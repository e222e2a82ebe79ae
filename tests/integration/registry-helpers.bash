# Debian's docker-registry on 127.0.0.1 for the registry suites. Needs $REG_ROOT (a temp dir).
#   start_registry NAME [HTPASSWD]   serve from $REG_ROOT/NAME/data; port in $REG_ROOT/NAME/port
#   stop_registries                  kill every registry started this way

free_port() {
        local p
        for p in $(seq 15000 15200); do
                ss -ltn | grep -q ":$p " || { echo "$p"; return; }
        done
}

start_registry() {
        local dir="$REG_ROOT/$1" port
        port="$(free_port)"
        mkdir -p "$dir/data"
        {
                echo "version: 0.1"
                echo "log: {level: info, accesslog: {disabled: false}}"
                echo "storage: {filesystem: {rootdirectory: $dir/data}, delete: {enabled: true}}"
                echo "http: {addr: 127.0.0.1:$port}"
                [ -n "${2:-}" ] && echo "auth: {htpasswd: {realm: test, path: $2}}"
        } > "$dir/config.yml"
        docker-registry serve "$dir/config.yml" > "$dir/log" 2>&1 &
        echo $! > "$dir/pid"
        echo "$port" > "$dir/port"
        for _ in $(seq 1 100); do
                curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && return 0
                sleep 0.1
        done
        cat "$dir/log" >&2
        return 1
}

stop_registries() {
        local p
        for p in "$REG_ROOT"/*/pid; do
                [ -f "$p" ] && kill "$(cat "$p")" 2> /dev/null
        done
        return 0
}
