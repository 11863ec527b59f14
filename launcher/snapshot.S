/* launcher/snapshot.S — embeds the startup snapshot built by
 * build/se-mksnapshot into the binary, so the blob and the code that
 * loads it can never drift apart and no file is read at start-up.
 * LCH_SNAPSHOT_PATH is set by the Makefile. */
    .section .rodata
    .balign 64
    .globl lch_snapshot_blob
lch_snapshot_blob:
    .incbin LCH_SNAPSHOT_PATH
    .globl lch_snapshot_blob_end
lch_snapshot_blob_end:
    .section .note.GNU-stack,"",@progbits
