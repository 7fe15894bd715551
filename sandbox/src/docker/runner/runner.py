"""codecrew's command runner: the main process of a sandbox container.

Listens on a Unix socket in a host directory bind-mounted into the container
and runs one command per connection, with the same semantics as a
`docker exec` of `timeout -s KILL <t> bash -c <command>`: the container's
user, a cwd, extra env, a process-group kill on request.

Protocol. The host sends one JSON line
  {"command", "cwd", "env", "timeout", "mark"}
and may later send the line "kill". The runner answers with frames
  <type: 1 byte><length: 4 bytes big-endian><payload>
type 1 = stdout bytes, 2 = stderr bytes, 3 = exit (JSON {"exitCode", "oomKills"}),
4 = error (JSON {"message"}), then closes the connection.
"""

import json
import os
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


class Channel:
    """The sending half of one connection; stops sending once the exit frame went out."""

    def __init__(self, sock):
        self.sock = sock
        self.lock = threading.Lock()
        self.open = True

    def send(self, kind, payload, last=False):
        with self.lock:
            if not self.open:
                return
            try:
                self.sock.sendall(struct.pack(">BI", kind, len(payload)) + payload)
            except OSError:
                self.open = False
            if last:
                self.open = False


def pump(stream, kind, channel):
    while True:
        try:
            data = stream.read1(65536)
        except (OSError, ValueError):
            break
        if not data:
            break
        channel.send(kind, data)
    try:
        stream.close()
    except OSError:
        pass


def kill(proc, mark):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    kill_marked(mark)


def watch_for_kill(reader, proc, mark, finished):
    # A "kill" line, or the host closing the connection before the command finished, kills it.
    while True:
        try:
            line = reader.readline()
        except (OSError, ValueError):
            line = b""
        if finished.is_set():
            return
        if line == b"" or line.strip() == b"kill":
            kill(proc, mark)
            if line == b"":
                return


def serve(sock):
    channel = Channel(sock)
    try:
        reader = sock.makefile("rb")
        request = json.loads(reader.readline())
        env = dict(os.environ)
        env.update(request.get("env") or {})
        env[MARK] = request["mark"]
        try:
            proc = subprocess.Popen(
                ["bash", "-c", request["command"]],
                cwd=request["cwd"],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as error:
            channel.send(ERROR, json.dumps({"message": str(error)}).encode(), last=True)
            return
        finished = threading.Event()
        pumps = [
            threading.Thread(target=pump, args=(proc.stdout, STDOUT, channel), daemon=True),
            threading.Thread(target=pump, args=(proc.stderr, STDERR, channel), daemon=True),
        ]
        for t in pumps:
            t.start()
        threading.Thread(target=watch_for_kill, args=(reader, proc, request["mark"], finished), daemon=True).start()
        timer = threading.Timer(float(request["timeout"]), kill, args=(proc, request["mark"]))
        timer.daemon = True
        timer.start()
        code = proc.wait()
        timer.cancel()
        deadline = time.monotonic() + DRAIN_S
        for t in pumps:
            t.join(max(0.0, deadline - time.monotonic()))
        finished.set()
        if code < 0:
            code = 128 - code
        result = {"exitCode": code, "oomKills": oom_kills() if code == 137 else None}
        channel.send(EXIT, json.dumps(result).encode(), last=True)
    except Exception as error:  # noqa: BLE001 - any failure is reported to the host
        channel.send(ERROR, json.dumps({"message": repr(error)}).encode(), last=True)
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
