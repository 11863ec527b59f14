# dev — every permission domain open at the JS layer. The OS sandbox
# (namespaces, seccomp, limits) still applies: this is for trusted code
# during development, not a way out.
fs.read = *
fs.write = *
net.allow = *
env.allow = *
run.allow = *
limits.heap_mb = 1024
limits.timeout_ms = 0
limits.cpu_ms = 0
limits.tmpfs_mb = 512
limits.pids = 256
limits.fds = 4096
limits.output_bytes = 0
limits.write_bytes = 4294967296
limits.write_files = 100000
crypto.max_modulus_bits = 8192
sandbox.namespaces = user, mount, pid, net, ipc, uts, cgroup
sandbox.seccomp = default
sandbox.network = loopback
sandbox.overlay = on
