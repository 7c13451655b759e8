#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""qemu_passt.py - start passt the way QEMU 10.1's -netdev passt does,
then QEMU 7.2 on the other end of the same socket pair

Usage: qemu_passt.py PIDFILE PASST [OPTION...] -- QEMU [OPTION...]

QEMU 10.1 makes a socket pair, starts "passt --quiet ... --pid PIDFILE
--fd 3" with one end as descriptor 3, waits for that process to exit
(passt daemonizes), reads the pid file, and later ends passt with
SIGTERM. Debian 12's QEMU is 7.2, which has no -netdev passt: this does
the same steps, then runs QEMU with the other end given as
"-netdev stream,...,addr.type=fd,addr.str=N" (N replaces the text @FD@
in QEMU's options). When QEMU has exited, passt gets SIGTERM, as QEMU
would send it.

With --vhost-user, QEMU 10.1 uses its end of the pair as the vhost-user
connection. QEMU 7.2 can't pass descriptors on a chardev made from a
descriptor, so where QEMU's options say @SOCK@, that is a UNIX socket
path this launcher listens on: QEMU connects there (-chardev
socket,path=@SOCK@), and messages and their descriptors are relayed
between that connection and our end of the pair, unchanged.

Prints "launcher-exit RC", "passt-output LINE" for anything passt
printed, "passt-pid PID", "qemu-exit RC" and "passt-gone yes|no" lines; exits 0 if passt's parent exited 0, the pid
file named a live process, and passt left after SIGTERM.
"""

import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time


def recv_exact(sock, n):
    """Read n bytes and the descriptors that come with them; b"" at the
    end of the stream"""
    data, fds = b"", []
    while len(data) < n:
        chunk, got, _, _ = socket.recv_fds(sock, n - len(data), 16)
        fds += got
        if not chunk:
            for fd in fds:
                os.close(fd)
            return b"", []
        data += chunk
    return data, fds


def relay_msg(src, dst):
    """Copy one vhost-user message (12-byte header, then the payload size
    it gives) and its descriptors: reading a message at a time keeps each
    descriptor with its message. Returns False at the end"""
    hdr, fds = recv_exact(src, 12)
    if not hdr:
        return False
    size = struct.unpack("<III", hdr)[2]
    payload, more = recv_exact(src, size) if size else (b"", [])
    fds += more
    try:
        if size and not payload:
            return False
        if fds:
            socket.send_fds(dst, [hdr + payload], fds)
        else:
            dst.sendall(hdr + payload)
    except OSError:
        return False
    finally:
        for fd in fds:
            os.close(fd)
    return True


def relay(a, b):
    """Relay vhost-user messages both ways until one side closes"""
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ, b)
    sel.register(b, selectors.EVENT_READ, a)
    while True:
        for key, _ in sel.select(timeout=200):
            if not relay_msg(key.fileobj, key.data):
                return


def chardev_proxy(ours, qemu_cmd):
    """Listen where QEMU's options say @SOCK@, relay its connection to
    ours in a thread; return QEMU's options with the path"""
    d = tempfile.mkdtemp(prefix="qemu-passt-")
    path = os.path.join(d, "vhost-user.sock")
    lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    lsock.bind(path)
    lsock.listen(1)
    lsock.settimeout(60)

    def serve():
        try:
            conn, _ = lsock.accept()
        except OSError:
            return
        lsock.close()
        relay(conn, ours)
        conn.close()
        ours.close()

    threading.Thread(target=serve, daemon=True).start()
    return [a.replace("@SOCK@", path) for a in qemu_cmd]


def main(argv):
    """Launch passt and QEMU as described above"""
    if len(argv) < 4 or "--" not in argv:
        sys.stderr.write(__doc__)
        return 2
    pidfile = argv[0]
    cut = argv.index("--")
    passt_cmd = argv[1:cut] + ["--quiet", "--pid", pidfile, "--fd", "3"]
    qemu_cmd = argv[cut + 1:]

    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)

    def give_fd3():
        if theirs.fileno() != 3:
            os.dup2(theirs.fileno(), 3)

    # pass_fds: descriptor 3 stays open (and inheritable) in passt
    # Its output is captured: a daemon still holding the pipe would make
    # this time out
    try:
        launcher = subprocess.run(passt_cmd, preexec_fn=give_fd3,
                                  pass_fds=(3,), capture_output=True,
                                  stdin=subprocess.DEVNULL, timeout=30,
                                  check=False)
    except subprocess.TimeoutExpired:
        print("launcher-exit timeout", flush=True)
        return 1
    print("launcher-exit", launcher.returncode, flush=True)
    for line in (launcher.stdout + launcher.stderr).decode().splitlines():
        print("passt-output", line, flush=True)
    theirs.close()
    try:
        with open(pidfile, encoding="ascii") as f:
            pid = int(f.read().strip())
        os.kill(pid, 0)
    except (OSError, ValueError) as e:
        print("passt-pid none", e, flush=True)
        return 1
    print("passt-pid", pid, flush=True)

    fd = ours.fileno()
    if any("@SOCK@" in a for a in qemu_cmd):
        qemu_cmd = chardev_proxy(ours, qemu_cmd)
    qemu_cmd = [a.replace("@FD@", str(fd)) for a in qemu_cmd]
    try:
        qemu = subprocess.run(qemu_cmd, pass_fds=(fd,),
                              stdin=subprocess.DEVNULL, timeout=150,
                              check=False)
        print("qemu-exit", qemu.returncode, flush=True)
    except subprocess.TimeoutExpired:
        print("qemu-exit timeout", flush=True)
    ours.close()

    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    gone = False
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            gone = True
            break
        time.sleep(0.1)
    print("passt-gone", "yes" if gone else "no", flush=True)
    return 0 if launcher.returncode == 0 and gone else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
