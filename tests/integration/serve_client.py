#!/usr/bin/env python3
"""tests/integration/serve_client.py — an HTTP/1.1 client for the tests of
`secure-exec-launch serve` (tests/integration/serve.sh), on the standard
library only: a unix socket or TCP, Content-Length and chunked answers,
NDJSON lines, and a load mode.

usage:
  serve_client.py req ADDR METHOD PATH [BODY]
      one request (BODY: JSON text, @FILE, or none); prints the answer as
      one JSON object: status, reason, headers (lower-case names), body,
      body_utf8 (the body's bytes were UTF-8), json (the body parsed, or
      null), lines (an NDJSON answer's lines parsed, or null), chunked,
      seconds, error (null, or why no answer was read)
  serve_client.py run ADDR CODE [KEY=JSON]...
      POST /v1/run with {"code": CODE, KEY: JSON...} (CODE "-": no code
      member); the answer as for req
  serve_client.py ready ADDR SECONDS
      GET /readyz every 20 ms until 200 or SECONDS; prints the statuses
      and bodies seen (in order, repeats folded), ready, seconds
  serve_client.py raw ADDR TEXT
      TEXT (Python escapes: \\r\\n) sent as it is; the answer as for req,
      with more (the answers after it until the server closes), closed,
      more_error and received (every byte read, as text)
  serve_client.py overlap ADDR [--signal PID] BODY1 BODY2...
      POST /v1/run with BODY1; once /metrics shows a run active (10 s),
      SIGTERM to PID (with --signal), then BODY2... each 0.3 s after the
      one before, each on a connection of its own; prints active_seen and
      answers (in the order of the bodies, each with "sent": seconds after
      BODY1)
  serve_client.py abandon ADDR BODY SECONDS
      POST /v1/run with BODY, then the socket closed after SECONDS unread
  serve_client.py load ADDR N CONCURRENCY BODY
      N POST /v1/run with BODY from CONCURRENCY keep-alive clients; prints
      a summary: statuses, errors (the first few), bad (200s whose result
      is not exit_code 0 with its X-Request-Id), unique_ids, seconds
  serve_client.py check FILE EXPR
      EXPR (Python) on the answer in FILE, with r (the answer), j (its
      json), h (headers), L (lines), last (the last line), out and err
      (the streamed stdout and stderr joined), A (overlap's answers):
      status 0 when true, else 1 and the answer shortened on stdout
ADDR: unix:PATH or HOST:PORT. SERVE_CLIENT_TIMEOUT: seconds (default 60).
"""
import json
import os
import socket
import sys
import threading
import time

TIMEOUT = float(os.environ.get("SERVE_CLIENT_TIMEOUT", "60"))


def connect(addr):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        s.connect(addr[5:])
    else:
        host, port = addr.rsplit(":", 1)
        s = socket.create_connection((host.strip("[]"), int(port)), timeout=TIMEOUT)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Reader:
    """Buffered reads of one connection."""

    def __init__(self, sock, keep=False):
        self.sock = sock
        self.buf = b""
        self.log = b"" if keep else None

    def more(self):
        d = self.sock.recv(65536)
        if not d:
            raise EOFError("the server closed the connection")
        self.buf += d
        if self.log is not None:
            self.log += d

    def until(self, sep):
        while sep not in self.buf:
            self.more()
        i = self.buf.index(sep)
        out, self.buf = self.buf[:i], self.buf[i + len(sep):]
        return out

    def exactly(self, n):
        while len(self.buf) < n:
            self.more()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def rest(self):
        while True:
            try:
                self.more()
            except EOFError:
                break
        out, self.buf = self.buf, b""
        return out


def read_answer(rd):
    """One answer (a 100 Continue skipped): (status, reason, headers, body, chunked)."""
    while True:
        head = rd.until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
            raise ValueError(f"not a status line: {lines[0]!r}")
        status = int(parts[1])
        headers = {}
        for line in lines[1:]:
            k, sep, v = line.partition(":")
            if not sep:
                raise ValueError(f"not a header line: {line!r}")
            k = k.strip().lower()
            if k in headers:
                headers[k] += ", " + v.strip()
            else:
                headers[k] = v.strip()
        if status != 100:
            break
    chunked = "chunked" in headers.get("transfer-encoding", "").lower()
    if chunked:
        body = b""
        while True:
            size_line = rd.until(b"\r\n").decode("latin-1")
            size = int(size_line.split(";")[0].strip(), 16)
            if size == 0:
                rd.until(b"\r\n")  # no trailers expected
                break
            body += rd.exactly(size)
            if rd.exactly(2) != b"\r\n":
                raise ValueError("a chunk is not followed by CRLF")
    elif "content-length" in headers:
        body = rd.exactly(int(headers["content-length"]))
    else:
        body = rd.rest()
    return status, parts[2] if len(parts) > 2 else "", headers, body, chunked


def build(method, path, body, extra=None, close=True):
    b = body or b""
    head = f"{method} {path} HTTP/1.1\r\nHost: serve\r\n"
    if body is not None or method == "POST":
        head += "Content-Type: application/json\r\n" + f"Content-Length: {len(b)}\r\n"
    for k, v in (extra or {}).items():
        head += f"{k}: {v}\r\n"
    if close:
        head += "Connection: close\r\n"
    return head.encode() + b"\r\n" + b


def describe(status, reason, headers, body, chunked, seconds):
    r = {"status": status, "reason": reason, "headers": headers, "chunked": chunked,
         "seconds": round(seconds, 3), "error": None, "json": None, "lines": None}
    try:
        text = body.decode("utf-8")
        r["body_utf8"] = True
    except UnicodeDecodeError:
        text = body.decode("utf-8", "replace")
        r["body_utf8"] = False
    r["body"] = text
    ctype = headers.get("content-type", "")
    try:
        if "ndjson" in ctype:
            r["lines"] = [json.loads(x) for x in text.split("\n") if x]
        elif "json" in ctype:
            r["json"] = json.loads(text)
    except ValueError as e:
        r["error"] = f"the body does not parse: {e}"
    return r


def exchange(addr, data, all_answers=False):
    """data sent, the answer read (all_answers: and every later one until the
    server closes: in "more", "closed" whether it did, "received" every
    byte read, "more_error" why the reading stopped otherwise)."""
    t0 = time.monotonic()
    try:
        s = connect(addr)
    except OSError as e:
        return {"status": None, "error": f"connect: {e}"}
    try:
        s.sendall(data)
        rd = Reader(s, keep=all_answers)
        r = describe(*read_answer(rd), time.monotonic() - t0)
        if all_answers:
            r["more"], r["closed"], r["more_error"] = [], False, None
            while True:
                try:
                    if not rd.buf:
                        rd.more()
                    r["more"].append(describe(*read_answer(rd), time.monotonic() - t0))
                except EOFError:
                    r["closed"] = not rd.buf
                    break
                except (OSError, ValueError) as e:
                    r["more_error"] = f"{type(e).__name__}: {e}"
                    break
            try:
                while True:
                    rd.more()
            except (OSError, EOFError):
                pass
            r["received"] = rd.log.decode("utf-8", "replace")
        return r
    except (OSError, EOFError, ValueError) as e:
        return {"status": None, "error": f"{type(e).__name__}: {e}",
                "seconds": round(time.monotonic() - t0, 3)}
    finally:
        s.close()


def body_arg(a):
    if a is None:
        return None
    if a.startswith("@"):
        with open(a[1:], "rb") as f:
            return f.read()
    return a.encode()


def cmd_req(addr, method, path, body=None):
    print(json.dumps(exchange(addr, build(method, path, body_arg(body)))))


def cmd_run(addr, code, *fields):
    d = {} if code == "-" else {"code": code}
    for f in fields:
        k, _, v = f.partition("=")
        d[k] = json.loads(v)
    print(json.dumps(exchange(addr, build("POST", "/v1/run", json.dumps(d).encode()))))


def cmd_ready(addr, seconds):
    t0 = time.monotonic()
    seen = []
    ready = False
    while time.monotonic() - t0 < float(seconds):
        r = exchange(addr, build("GET", "/readyz", None))
        got = [r.get("status"), r.get("body") if r.get("status") else r.get("error")]
        if not seen or seen[-1] != got:
            seen.append(got)
        if r.get("status") == 200:
            ready = True
            break
        time.sleep(0.02)
    print(json.dumps({"seen": seen, "ready": ready, "seconds": round(time.monotonic() - t0, 2)}))


def cmd_raw(addr, text):
    data = text.encode("latin-1").decode("unicode_escape").encode("latin-1")
    print(json.dumps(exchange(addr, data, all_answers=True)))


def cmd_overlap(addr, *args):
    args = list(args)
    pid = None
    if args[0] == "--signal":
        pid = int(args[1])
        args = args[2:]
    answers = [None] * len(args)
    t0 = time.monotonic()

    def one(i):
        sent = time.monotonic() - t0
        answers[i] = exchange(addr, build("POST", "/v1/run", body_arg(args[i])))
        answers[i]["sent"] = round(sent, 3)

    threads = [threading.Thread(target=one, args=(0,))]
    threads[0].start()
    active = False
    while not active and time.monotonic() - t0 < 10:
        m = exchange(addr, build("GET", "/metrics", None))
        active = "\nsecure_exec_runs_active 1\n" in (m.get("body") or "")
        if not active:
            time.sleep(0.02)
    if pid:
        os.kill(pid, 15)
    for i in range(1, len(args)):
        time.sleep(0.3)
        threads.append(threading.Thread(target=one, args=(i,)))
        threads[-1].start()
    for t in threads:
        t.join()
    print(json.dumps({"active_seen": active, "answers": answers}))


def cmd_abandon(addr, body, seconds):
    s = connect(addr)
    s.sendall(build("POST", "/v1/run", body_arg(body)))
    time.sleep(float(seconds))
    s.close()


def cmd_load(addr, n, conc, body):
    n, conc = int(n), int(conc)
    data = build("POST", "/v1/run", body_arg(body), close=False)
    lock = threading.Lock()
    state = {"next": 0, "statuses": {}, "errors": [], "nerrors": 0, "bad": 0, "ids": set()}

    def take():
        with lock:
            if state["next"] >= n:
                return False
            state["next"] += 1
            return True

    def worker():
        sock = rd = None
        while take():
            try:
                if sock is None:
                    sock = connect(addr)
                    rd = Reader(sock)
                sock.sendall(data)
                status, _, headers, b, _ = read_answer(rd)
                ok = True
                if status == 200:
                    try:
                        j = json.loads(b)
                        ok = j.get("exit_code") == 0 and j.get("limit") is None and \
                            j.get("id") == headers.get("x-request-id")
                        rid = j.get("id")
                    except ValueError:
                        ok, rid = False, None
                with lock:
                    state["statuses"][str(status)] = state["statuses"].get(str(status), 0) + 1
                    if status == 200:
                        state["ids"].add(rid)
                        if not ok:
                            state["bad"] += 1
                            if len(state["errors"]) < 5:
                                state["errors"].append(b.decode("utf-8", "replace")[:300])
                    elif len(state["errors"]) < 5:
                        state["errors"].append(f"{status}: {b[:300]!r}")
                if "close" in headers.get("connection", "").lower():
                    sock.close()
                    sock = None
            except (OSError, EOFError, ValueError) as e:
                with lock:
                    state["nerrors"] += 1
                    if len(state["errors"]) < 5:
                        state["errors"].append(f"{type(e).__name__}: {e}")
                if sock is not None:
                    sock.close()
                sock = None
        if sock is not None:
            sock.close()

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"n": n, "statuses": state["statuses"], "transport_errors": state["nerrors"],
                      "bad": state["bad"], "unique_ids": len(state["ids"]),
                      "errors": state["errors"], "seconds": round(time.monotonic() - t0, 2)}))


def cmd_check(path, expr):
    with open(path, encoding="utf-8") as f:
        r = json.load(f)
    L = r.get("lines") or []
    env = {"__builtins__": __builtins__, "r": r, "j": r.get("json"),
           "h": r.get("headers") or {}, "L": L, "A": r.get("answers"),
           "last": L[-1] if L else None,
           "out": "".join(x.get("data", "") for x in L if x.get("stream") == "stdout"),
           "err": "".join(x.get("data", "") for x in L if x.get("stream") == "stderr")}
    try:
        good = eval(expr, env)  # noqa: S307 (the tests' own expressions)
    except Exception as e:  # a missing key is a failed check
        good, why = False, f"{type(e).__name__}: {e}"
    else:
        why = ""
    if good:
        return 0
    shown = dict(r)
    for k in ("body", "lines"):
        if isinstance(shown.get(k), (str, list)) and len(json.dumps(shown[k])) > 600:
            shown[k] = json.dumps(shown[k])[:600] + "..."
    print((why + " " if why else "") + json.dumps(shown)[:1500])
    return 1


def main(argv):
    cmds = {"req": (cmd_req, 3, 4), "raw": (cmd_raw, 2, 2),
            "run": (cmd_run, 2, 99), "ready": (cmd_ready, 2, 2), "abandon": (cmd_abandon, 3, 3),
            "overlap": (cmd_overlap, 2, 99),
            "load": (cmd_load, 4, 4), "check": (cmd_check, 2, 2)}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.exit(__doc__)
    fn, lo, hi = cmds[argv[1]]
    args = argv[2:]
    if not lo <= len(args) <= hi:
        sys.exit(__doc__)
    return fn(*args) or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
