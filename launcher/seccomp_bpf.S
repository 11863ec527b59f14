/* launcher/seccomp_bpf.S — the seccomp filters compiled at build time by
 * se-mkseccomp from launcher/seccomp/NAME.policy (build/seccomp/NAME.bpf):
 * an array of struct sock_filter each, loaded as is. */
    .section .rodata
    .balign 8
    .globl lch_bpf_strict, lch_bpf_strict_end
lch_bpf_strict:
    .incbin LCH_BPF_STRICT
lch_bpf_strict_end:
    .balign 8
    .globl lch_bpf_default, lch_bpf_default_end
lch_bpf_default:
    .incbin LCH_BPF_DEFAULT
lch_bpf_default_end:
    .balign 8
    .globl lch_bpf_overlay, lch_bpf_overlay_end
lch_bpf_overlay:
    .incbin LCH_BPF_OVERLAY
lch_bpf_overlay_end:
    .balign 8
    .globl lch_bpf_strict_run, lch_bpf_strict_run_end
lch_bpf_strict_run:
    .incbin LCH_BPF_STRICT_RUN
lch_bpf_strict_run_end:
    .balign 8
    .globl lch_bpf_default_run, lch_bpf_default_run_end
lch_bpf_default_run:
    .incbin LCH_BPF_DEFAULT_RUN
lch_bpf_default_run_end:
    .section .note.GNU-stack,"",@progbits
