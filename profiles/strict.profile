# strict — the default: the guest may read its app and nothing else.
# Every key is documented in profiles/README.md.
fs.read = /app
fs.write =
net.allow =
env.allow =
run.allow =
limits.heap_mb = 128
limits.timeout_ms = 0
limits.cpu_ms = 0
limits.tmpfs_mb = 64
limits.pids = 32
limits.fds = 256
limits.output_bytes = 16777216
limits.write_bytes = 67108864
limits.write_files = 1000
crypto.max_modulus_bits = 8192
sandbox.namespaces = user, mount, pid, net, ipc, uts, cgroup
sandbox.seccomp = strict
sandbox.network = loopback
sandbox.overlay = on
