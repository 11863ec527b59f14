#!/usr/bin/env python3
"""bench/serve-load.py — a client of `secure-exec-launch serve` for
bench/serve.sh: N POST /v1/run over C keep-alive connections (threads) to a
unix socket; prints one JSON object: client-side latency min/p50/p99 (ms),
the server's duration_ms p50, the count of answers that were not 200 with
exit code 0 (errors), and the wall time of the whole batch.

usage: serve-load.py SOCKET N CONCURRENCY BODY_JSON [GAP_S]
(GAP_S: each client waits that long between its requests: a warm pool
refilled between them)
"""
import json
import socket
import sys
import threading
import time


def request(sock, body):
    head = (
        "POST /v1/run HTTP/1.1\r\nHost: serve\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    sock.sendall(head + body)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return status, json.loads(rest[:length])


def main():
    path, n, conc, body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode()
    gap = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    lat, server, errors = [], [], []
    lock = threading.Lock()
    left = [n]

    def worker():
        sock = socket.socket(socket.AF_UNIX)
        sock.connect(path)
        while True:
            with lock:
                if left[0] == 0:
                    break
                left[0] -= 1
            if gap:
                time.sleep(gap)
            t = time.perf_counter()
            try:
                status, res = request(sock, body)
            except (OSError, ValueError) as e:
                with lock:
                    errors.append(str(e))
                sock.close()
                sock = socket.socket(socket.AF_UNIX)
                sock.connect(path)
                continue
            ms = (time.perf_counter() - t) * 1000
            with lock:
                lat.append(ms)
                if status != 200 or res.get("exit_code") != 0:
                    errors.append(f"{status} {res}")
                elif isinstance(res.get("duration_ms"), (int, float)):
                    server.append(res["duration_ms"])
        sock.close()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(conc)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    wall = (time.perf_counter() - t0) * 1000

    def pct(a, p):
        a = sorted(a)
        return round(a[min(len(a) - 1, max(0, int(len(a) * p / 100 + 0.5) - 1))], 2) if a else None

    print(json.dumps({
        "n": n, "concurrency": conc, "min": round(min(lat), 2) if lat else None,
        "p50": pct(lat, 50), "p99": pct(lat, 99), "server_p50": pct(server, 50),
        "errors": len(errors), "first_error": errors[0] if errors else None,
        "wall_ms": round(wall, 1),
    }))


if __name__ == "__main__":
    main()
