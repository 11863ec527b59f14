/* launcher/seccomp_policies.S — the seccomp policies (seccomp/NAME.policy),
 * embedded like the profiles: reviewed text, never read from disk at run
 * time. Paths are relative to the top of the tree. */
    .section .rodata
    .globl lch_seccomp_strict, lch_seccomp_strict_end
lch_seccomp_strict:
    .incbin "launcher/seccomp/strict.policy"
lch_seccomp_strict_end:
    .globl lch_seccomp_default, lch_seccomp_default_end
lch_seccomp_default:
    .incbin "launcher/seccomp/default.policy"
lch_seccomp_default_end:
    .globl lch_seccomp_overlay, lch_seccomp_overlay_end
lch_seccomp_overlay:
    .incbin "launcher/seccomp/overlay.policy"
lch_seccomp_overlay_end:
    .section .note.GNU-stack,"",@progbits
