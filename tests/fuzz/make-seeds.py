#!/usr/bin/env python3
"""Write the seed corpora of tests/fuzz/corpus/ (run from anywhere; rewrites the seeds it owns).

Seeds are small valid (and a few hostile) inputs the fuzzers mutate from; crash reproducers added
by hand next to them (named crash-*) are left alone."""
import gzip
import hashlib
import io
import json
import os
import tarfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
H64 = "0123456789abcdef" * 4


def put(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def tar(entries, fmt=tarfile.GNU_FORMAT):
    """entries: (name, type, data-or-linkname)"""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for name, kind, payload in entries:
            ti = tarfile.TarInfo(name)
            ti.mtime = 1700000000
            if kind == "dir":
                ti.type, ti.mode = tarfile.DIRTYPE, 0o755
                t.addfile(ti)
            elif kind == "file":
                data = payload.encode() if isinstance(payload, str) else payload
                ti.size, ti.mode = len(data), 0o644
                t.addfile(ti, io.BytesIO(data))
            elif kind in ("sym", "hard"):
                ti.type = tarfile.SYMTYPE if kind == "sym" else tarfile.LNKTYPE
                ti.linkname = payload
                t.addfile(ti)
            elif kind == "fifo":
                ti.type = tarfile.FIFOTYPE
                t.addfile(ti)
    # drop the record padding: the data, then the two zero blocks that end a tar
    data = buf.getvalue().rstrip(b"\0")
    return data + b"\0" * (-len(data) % 512 + 1024)


def gz(data):
    return gzip.compress(data, mtime=0)


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def text_seeds():
    for i, s in enumerate(["busybox", "docker.io/library/busybox:latest", "127.0.0.1:5000/a/b-c__d:1.0",
                           "ubuntu@sha256:" + H64, "[::1]:5000/x/y:t", "localhost/foo:bar", "Foo.bar/x.y",
                           "index.docker.io/a/b:c@sha256:" + H64]):
        put("fuzz-reference", "seed-%d" % i, s)
    for i, s in enumerate(["./a/b", "/etc/passwd", "a/../b", "a//b/./c/", ".wh..wh..opq", "../x"]):
        put("fuzz-layer-path", "seed-%d" % i, s)
    for i, s in enumerate(["/bin/sh -c \"echo 'a b' \\\"q\\\"\"", "a\\x41\\101 \\s'x y'\"z\"w \\t",
                           "'unterminated"]):
        put("fuzz-init-cmdline", "seed-%d" % i, s)
    put("fuzz-init-envfile", "seed-0", "# comment\nA=1\nexport B = two words  \nC='lit $x'\n"
        "D=\"esc \\\" \\\\ \\$ \\` cont\\\nnext\"\nE=un\\ quoted\\\n  more\r\n; c\nF=\n")
    put("fuzz-init-envfile", "seed-1", "POUCH_INIT_X=1\nX=a#b\nY=\"multi\nline\"\n1BAD=2\n")
    put("fuzz-init-unit", "seed-0", "[Unit]\nDescription=web server\nAfter=db.service net\nRequires=db\n"
        "Wants=x.service\n\n[Service]\nType=simple\nExecStartPre=-/bin/mkdir -p /run/x\n"
        "ExecStart=@/usr/sbin/nginx nginx -g 'daemon off;' \\\n  -c /etc/nginx.conf\nRestart=on-failure\n"
        "RestartSec=1min 30s\nUser=www\nGroup=www\nEnvironment=A=1 \"B=2 3\"\nEnvironmentFile=-/etc/default/x\n"
        "WorkingDirectory=-~\n[Install]\nWantedBy=multi-user.target\n")
    put("fuzz-init-unit", "seed-1", "500ms\n[Service]\nExecStart=\nRestart=bogus\n")
    for i, s in enumerate(["10g", "/=10g\n/data=5g\n/data=6g", "/&/data&//logs/=10g\n.*=1t\n/d[0-9]=3m",
                           "-1g\n0\n/../x=1g"]):
        put("fuzz-quota-rules", "seed-%d" % i, s)
    doc = json.dumps({"Id": "abc", "Names": ["/web"], "Config": {"Labels": {"a": "b"}}, "Size": 3, "R": 0.5})
    for i, t in enumerate(["{{.Id}}\\t{{json .Config}}", "{{index .Names 0}} {{index .Config.Labels \"a\"}}",
                           "{{len .Names}} {{upper .Id}} {{lower .Names}} {{.Nope}} {{range .}}"]):
        put("fuzz-cli-format", "seed-%d" % i, t + "\0" + doc)
    hook = {"version": "1.0.0", "hook": {"path": "/bin/true", "args": ["true", "x"], "env": ["A=1"], "timeout": 5},
            "when": {"annotations": {"^io\\.pouch\\..*$": ".*"}, "commands": ["sh$"], "hasBindMounts": True},
            "stages": ["prestart", "poststop"]}
    spec = {"process": {"args": ["/bin/sh"]}, "annotations": {"io.pouch.x": "1"}, "hooks": {"prestart": []}}
    put("fuzz-hooks", "seed-0", json.dumps(hook) + "\0" + json.dumps(spec))
    put("fuzz-hooks", "seed-1", json.dumps({"version": "1.0.0", "hook": {"path": "/bin/true"},
                                            "when": {"always": True}, "stages": ["createRuntime"]}))
    prof = {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
            "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
            "syscalls": [{"names": ["read", "write", "nosuchcall"], "action": "SCMP_ACT_ALLOW"},
                         {"names": ["personality"], "action": "SCMP_ACT_ALLOW",
                          "args": [{"index": 0, "value": 8, "valueTwo": 0, "op": "SCMP_CMP_EQ"}]},
                         {"name": "clone", "action": "SCMP_ACT_ALLOW",
                          "includes": {"caps": ["CAP_SYS_ADMIN"], "minKernel": "4.8"},
                          "excludes": {"arches": ["s390x"]}, "errnoRet": 38}]}
    put("fuzz-seccomp", "seed-0", json.dumps(prof))
    put("fuzz-seccomp", "seed-1", json.dumps({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
                                              "flags": ["SECCOMP_FILTER_FLAG_LOG"], "syscalls": []}))
    ev = {"Type": "container", "Action": "start", "Actor": {"ID": "abc123", "Attributes": {"name": "web", "a": "b"}}}
    for i, f in enumerate([{"type": ["container"], "label": {"a=b": True}}, {"container": {"abc": True}},
                           {"event": ["stop"], "image": ["busybox"], "x": 1}]):
        put("fuzz-events-filter", "seed-%d" % i, json.dumps(f) + "\0" + json.dumps(ev))
    put("fuzz-net-parse", "seed-0", "10.0.0.1\n172.17.0.1/16\n8080:80/tcp\n127.0.0.1:8000-8001:80-81/udp\n53/udp\n"
        "0.0.0.0/0")
    put("fuzz-net-parse", "seed-1", "[::1]:80:80\n:::80\n1.2.3.4::80\n70000:80\n256.1.1.1/33")
    for i, s in enumerate(["2026-11-22T23:50:49.802493716Z", "1700000000.5", "2020-01-01T00:00:00+02:00", "10m",
                           "-5"]):
        put("fuzz-lib-parse", "seed-%d" % i, s)
    man = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": "sha256:" + H64, "size": 7},
           "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": "sha256:" + H64,
                       "size": 32}]}
    idx = {"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": "sha256:" + H64, "size": 1,
         "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        {"digest": "sha256:" + H64, "platform": {"os": "linux", "architecture": "amd64"}}]}
    put("fuzz-registry", "seed-0", json.dumps(man) + "\0linux/amd64")
    put("fuzz-registry", "seed-1", json.dumps(idx) + "\0linux/arm64/v8")
    put("fuzz-registry", "seed-2", json.dumps(idx) + "\0Bearer realm=\"https://auth/token\",service=\"reg\","
        "scope=\"repository:a/b:pull\",error=\"x \\\"y\\\"\"")
    put("fuzz-cli-opts", "seed-0", "-d\n-e\nA=1\n--name\nweb\n-p\n127.0.0.1:8080:80/udp\n-l\na=b\n--ulimit\n"
        "nofile=10:20\n-m\n10m\n--annotation\nk=v\n--cpus\n1.5\n--restart\non-failure:3\n--disk-quota\n/=1g\n"
        "--tmpfs\n/run:size=1m\n--mount\ntype=bind,src=/a,dst=/b,readonly\nbusybox\nsh\n-c\ntrue"
        "\0A=1\n# comment\nHOME\n  B=two words\n")
    put("fuzz-cli-opts", "seed-1", "-it\n--rm\n--log-opt\nmax-size=1m\n--add-host\nh:1.2.3.4\n-v\n/x:/y:ro\nimg")
    put("fuzz-logs", "seed-0", "\x20" + '{"log":"hello\\n","stream":"stdout","time":"2026-11-22T23:50:49.802493716Z"}\n'
        '{"log":"err \\u00e9\\n","stream":"stderr","time":"2026-11-22T23:50:50Z"}\n{"log":"","stream":"stdout",'
        '"time":"2026-11-22T23:50:51Z"}\nnot json\n{"log":"partial","stream":"stdout","time":"1700000000.5"')
    passwd = ("root:x:0:0:root:/root:/bin/sh\n# comment\nwww:x:33:33:www data:/var/www:/usr/sbin/nologin\n"
              "5:x:7:7::/:/bin/false\nbad line\napp:x:1000:1000::/home/app:/bin/sh:extra\r\n")
    group = "root:x:0:\nwww:x:33:app\nstaff:x:50:app,www,app\n100:x:101:\n"
    for i, user in enumerate(["app", "5", "www:staff", "1000:33", "nobody", "app:100"]):
        put("fuzz-user", "seed-%d" % i, passwd + "\0" + group + "\0" + user)
        put("fuzz-init-users", "seed-%d" % i, passwd + "\0" + group + "\0" + user)
    put("fuzz-registry", "seed-3", "{}\0eyJ1c2VybmFtZSI6InUiLCJwYXNzd29yZCI6InAifQ")


LAYER = [("etc", "dir", None), ("etc/hosts", "file", "127.0.0.1 localhost\n"), ("bin", "dir", None),
         ("bin/sh", "sym", "busybox"), ("bin/busybox", "file", "\x7fELF"), ("bin/ls", "hard", "bin/busybox"),
         ("etc/.wh.old", "file", ""), ("var/.wh..wh..opq", "file", ""), ("run/fifo", "fifo", None)]


def layer_seeds():
    put("fuzz-layer-unpack", "seed-plain.tar", tar(LAYER))
    put("fuzz-layer-unpack", "seed-pax.tar.gz", gz(tar(LAYER, tarfile.PAX_FORMAT)))
    put("fuzz-layer-unpack", "seed-escape.tar", tar([("a", "sym", "/"), ("a/x", "file", "x"), ("../up", "file", "u"),
                                                     ("b", "hard", "../../etc/passwd"), ("/abs", "file", "y")]))


def docker_archive():
    layer = tar(LAYER[:4])
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Cmd": ["sh"]},
                      "rootfs": {"type": "layers", "diff_ids": [sha(layer)]},
                      "history": [{"created_by": "x"}]}).encode()
    cid = sha(cfg)[7:]
    manifest = json.dumps([{"Config": cid + ".json", "RepoTags": ["fuzz:latest"],
                            "Layers": ["l1/layer.tar"]}]).encode()
    return tar([(cid + ".json", "file", cfg), ("l1", "dir", None), ("l1/layer.tar", "file", layer),
                ("manifest.json", "file", manifest), ("repositories", "file", "{}")])


def oci_layout():
    layer = tar(LAYER[:2])
    zl = gz(layer)
    cfg = json.dumps({"architecture": "amd64", "os": "linux",
                      "rootfs": {"type": "layers", "diff_ids": [sha(layer)]}}).encode()
    man = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                      "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": sha(cfg),
                                 "size": len(cfg)},
                      "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(zl),
                                  "size": len(zl)}]}).encode()
    index = json.dumps({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(man), "size": len(man),
         "annotations": {"io.containerd.image.name": "docker.io/library/oci:1",
                         "org.opencontainers.image.ref.name": "1"}}]}).encode()
    blobs = [(d, b) for d, b in ((sha(cfg), cfg), (sha(man), man), (sha(zl), zl))]
    return tar([("oci-layout", "file", '{"imageLayoutVersion":"1.0.0"}'), ("index.json", "file", index),
                ("blobs", "dir", None), ("blobs/sha256", "dir", None)] +
               [("blobs/sha256/" + d[7:], "file", b) for d, b in blobs])


def load_seeds():
    put("fuzz-image-load", "seed-docker.tar", docker_archive())
    put("fuzz-image-load", "seed-oci.tar", oci_layout())
    # a config not named by its digest is not checked against it: the fuzzer can change it freely
    cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": "2026-01-02T03:04:05Z",
                      "config": {"Env": ["A=1"], "Cmd": ["sh"], "Labels": {"a": "b"}, "ExposedPorts": {"80/tcp": {}}},
                      "rootfs": {"type": "layers", "diff_ids": []},
                      "history": [{"created_by": "x", "empty_layer": True}, {"comment": "y"}]})
    put("fuzz-image-load", "seed-config.tar", tar([("c.json", "file", cfg), ("manifest.json", "file", json.dumps(
        [{"Config": "c.json", "RepoTags": ["a:1", "b/c:2", "docker.io/x.y/z"], "Layers": []}]))]))
    put("fuzz-image-load", "seed-links.tar", tar([("manifest.json", "sym", "../x"), ("a", "hard", "manifest.json"),
                                                  ("index.json", "file", "{\"manifests\":[{}]}")]))


if __name__ == "__main__":
    text_seeds()
    layer_seeds()
    load_seeds()
