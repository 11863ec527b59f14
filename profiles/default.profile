# default — read the app, read and write /tmp, connect to loopback only;
# no host environment, no child processes.
fs.read = /app, /tmp
fs.write = /tmp
net.allow = localhost, 127.0.0.1, [::1]
env.allow =
run.allow =
limits.heap_mb = 256
limits.timeout_ms = 0
limits.cpu_ms = 0
limits.tmpfs_mb = 128
limits.pids = 64
limits.fds = 1024
limits.output_bytes = 67108864
limits.write_bytes = 268435456
limits.write_files = 10000
crypto.max_modulus_bits = 8192
sandbox.namespaces = user, mount, pid, net, ipc, uts, cgroup
sandbox.seccomp = default
sandbox.network = loopback
sandbox.overlay = on
