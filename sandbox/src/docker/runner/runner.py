"""codecrew's command runner: the main process of a sandbox container.

Listens on a Unix socket in a host directory bind-mounted into the container
and runs one command per connection, with the same semantics as a
`docker exec` of `timeout -s KILL <t> bash -c <command>`: the container's
user, a cwd, extra env, a process-group kill on request.

Protocol. The host sends <length: 4 bytes big-endian> and that many bytes of
NUL-separated UTF-8 fields: command, cwd, timeout (seconds), mark, then one
KEY=value per extra environment variable; it may later send "kill". The
runner answers with frames <type: 1 byte><length: 4 bytes big-endian><payload>:
1 = stdout bytes, 2 = stderr bytes, 3 = exit ("<code> <oom_kill counter or ->"),
4 = error (a message), then closes the connection. No JSON: importing it
(and `re` with it) would double the runner's start-up time.
"""

import os
import selectors
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

STDOUT, STDERR, EXIT, ERROR = 1, 2, 3, 4
MARK = "CODECREW_EXEC"
# How long output may keep flowing after the command exited (background children holding the pipe).
DRAIN_S = 0.5
OOM_FILES = ("/sys/fs/cgroup/memory/memory.oom_control", "/sys/fs/cgroup/memory.events")


def oom_kills():
    for path in OOM_FILES:
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("oom_kill "):
                        return int(line.split()[1])
        except (OSError, ValueError):
            pass
    return None


def kill_marked(mark):
    needle = ("%s=%s" % (MARK, mark)).encode()
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as f:
                if needle in f.read().split(b"\0"):
                    os.kill(int(name), signal.SIGKILL)
        except OSError:
            pass


def send(sock, kind, payload):
    sock.sendall(struct.pack(">BI", kind, len(payload)) + payload)


def read_request(sock):
    data = b""
    while len(data) < 4 or len(data) < 4 + struct.unpack(">I", data[:4])[0]:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("the host closed the connection before sending a command")
        data += chunk
    size = struct.unpack(">I", data[:4])[0]
    fields = data[4 : 4 + size].decode("utf-8", "surrogateescape").split("\0")
    command, cwd, timeout, mark = fields[:4]
    env = dict(field.split("=", 1) for field in fields[4:])
    return {"command": command, "cwd": cwd, "timeout": timeout, "mark": mark, "env": env}, data[4 + size :]


def exit_watch(proc):
    """A file descriptor that becomes readable when `proc` exits, or None (then the loop polls)."""
    try:
        return os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        return None


def run(sock, request, control):
    """Runs one command, streaming its output, until it exits; returns its exit code."""
    env = dict(os.environ)
    env.update(request["env"])
    mark = request["mark"]
    env[MARK] = mark
    proc = subprocess.Popen(
        ["bash", "-c", request["command"]],
        cwd=request["cwd"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        bufsize=0,
    )
    deadline = time.monotonic() + float(request["timeout"])
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ, STDOUT)
    selector.register(proc.stderr, selectors.EVENT_READ, STDERR)
    selector.register(sock, selectors.EVENT_READ, "control")
    pidfd = exit_watch(proc)
    if pidfd is not None:
        selector.register(pidfd, selectors.EVENT_READ, "exit")
    pipes = 2
    exited_at = None
    killed = False
    host_open = True
    try:
        while True:
            now = time.monotonic()
            if exited_at is None and pidfd is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and (pipes == 0 or now >= exited_at + DRAIN_S):
                break
            if not killed and (now >= deadline or b"kill" in control):
                kill(proc, mark)
                killed = True
            wait = deadline - now if not killed else 1.0
            if exited_at is not None:
                wait = exited_at + DRAIN_S - now
            elif pidfd is None:
                wait = min(wait, 0.01 if pipes == 0 else 0.05)
            for key, _ in selector.select(max(0.0, wait)):
                what = key.data
                if what in (STDOUT, STDERR):
                    chunk = os.read(key.fd, 65536)
                    if chunk:
                        if host_open:
                            try:
                                send(sock, what, chunk)
                            except OSError:
                                host_open = False
                                control += b"kill"
                    else:
                        selector.unregister(key.fileobj)
                        pipes -= 1
                elif what == "control":
                    try:
                        chunk = sock.recv(4096)
                    except OSError:
                        chunk = b""
                    control += chunk
                    if not chunk:
                        # The host went away (cancelled): the command goes too.
                        selector.unregister(sock)
                        host_open = False
                        control += b"kill"
                elif what == "exit":
                    selector.unregister(pidfd)
                    exited_at = time.monotonic()
        code = proc.wait()
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)
        # Background children may still hold the pipes; they keep running, their output is dropped.
        proc.stdout.close()
        proc.stderr.close()
    return -code + 128 if code < 0 else code


def kill(proc, mark):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    kill_marked(mark)


def serve(sock):
    try:
        request, control = read_request(sock)
        try:
            code = run(sock, request, control)
        except OSError as error:
            send(sock, ERROR, str(error).encode("utf-8", "replace"))
            return
        oom = oom_kills() if code == 137 else None
        send(sock, EXIT, ("%d %s" % (code, "-" if oom is None else oom)).encode())
    except Exception as error:  # noqa: BLE001 - any failure is reported to the host if it still listens
        try:
            send(sock, ERROR, repr(error).encode("utf-8", "replace"))
        except OSError:
            pass
    finally:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()


def main():
    path = sys.argv[1]
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".new")
    os.chmod(path + ".new", 0o666)
    server.listen(64)
    # The socket appears under its real name only once it accepts connections.
    os.rename(path + ".new", path)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
