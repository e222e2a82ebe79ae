#!/usr/bin/env python3
"""Hold half-sent HTTP requests open on a unix socket, like a slow or hostile client.

  hold-conns.py hold SOCKET N SECONDS STATUSFILE
      Open N connections, send a partial request line on each, keep them open for at most
      SECONDS. STATUSFILE gets a line "ready N" once all are open, then also a line "closed K":
      how many the server has closed so far (checked every 0.2 s). Exits after SECONDS or on
      SIGTERM.

  hold-conns.py keepalive SOCKET URL SECONDS
      GET URL on a kept-alive connection, read the reply, stay idle; exit 0 when the server
      closes the connection within SECONDS after a 200, 1 otherwise.

  hold-conns.py nul SOCKET SECONDS
      Send a request line holding NUL bytes and no end of line; exit 0 when the server closes
      the connection within SECONDS, 1 when it is still open then.
"""
import os
import resource
import select
import signal
import socket
import sys
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def closed_by_peer(s):
    """True when the server closed (EOF, reset) or answered anything."""
    try:
        return s.recv(4096, socket.MSG_DONTWAIT) is not None
    except BlockingIOError:
        return False
    except OSError:
        return True


def write_status(path, line):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="ascii") as f:
        f.write(line + "\n")
    os.replace(tmp, path)


def hold(path, n, seconds, status):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 64:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 64), hard))
    deadline = time.monotonic() + seconds
    conns = []
    for _ in range(n):
        s = connect(path)
        try:
            s.send(b"GET /_ping HT")
        except OSError:
            pass  # refused at once: counted as closed below
        conns.append(s)
    write_status(status, f"ready {len(conns)}")
    closed = set()
    while time.monotonic() < deadline:
        for i, s in enumerate(conns):
            if i not in closed and closed_by_peer(s):
                closed.add(i)
        write_status(status, f"ready {len(conns)}\nclosed {len(closed)}")
        time.sleep(0.2)


def nul(path, seconds):
    s = connect(path)
    s.send(b"GET /\x00\x00\x00/_ping\x00HTTP/1.1")
    r, _, _ = select.select([s], [], [], seconds)
    if not r:
        return 1
    try:
        s.recv(4096)
    except OSError:
        pass
    return 0


def keepalive(path, url, seconds):
    """GET url keeping the connection alive, then idle; 0 when the server closes it in time."""
    s = connect(path)
    s.send(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    got = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        r, _, _ = select.select([s], [], [], max(0.0, deadline - time.monotonic()))
        if not r:
            break
        try:
            data = s.recv(65536)
        except OSError:
            data = b""
        if not data:
            ok = got.startswith(b"HTTP/1.1 200")
            print("closed after a 200" if ok else f"closed after {got[:40]!r}")
            return 0 if ok else 1
        got += data
    print(f"still open after {seconds} s; got {got[:40]!r}")
    return 1


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if len(sys.argv) == 6 and sys.argv[1] == "hold":
        hold(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
        return 0
    if len(sys.argv) == 5 and sys.argv[1] == "keepalive":
        return keepalive(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    if len(sys.argv) == 4 and sys.argv[1] == "nul":
        return nul(sys.argv[2], float(sys.argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
