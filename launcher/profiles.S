/* launcher/profiles.S — the three built-in profiles (profiles/NAME.profile),
 * embedded so `--profile strict` needs no file at run time and cannot be
 * swapped on disk. Paths are relative to the top of the tree, where make
 * runs the assembler. */
    .section .rodata
    .globl lch_profile_strict, lch_profile_strict_end
lch_profile_strict:
    .incbin "profiles/strict.profile"
lch_profile_strict_end:
    .globl lch_profile_default, lch_profile_default_end
lch_profile_default:
    .incbin "profiles/default.profile"
lch_profile_default_end:
    .globl lch_profile_dev, lch_profile_dev_end
lch_profile_dev:
    .incbin "profiles/dev.profile"
lch_profile_dev_end:
    .section .note.GNU-stack,"",@progbits
