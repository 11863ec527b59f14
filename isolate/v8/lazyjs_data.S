/* isolate/v8/lazyjs_data.S — the lazily compiled JS bundle (see lazyjs.cc),
 * embedded as they are. SE_LAZYJS_FETCH and SE_LAZYJS_REGEXP are set by
 * the Makefile. */
    .section .rodata
    .balign 64
    .globl vm_lazyjs_fetch
vm_lazyjs_fetch:
    .incbin SE_LAZYJS_FETCH
    .globl vm_lazyjs_fetch_end
vm_lazyjs_fetch_end:
    .balign 64
    .globl vm_lazyjs_regexp
vm_lazyjs_regexp:
    .incbin SE_LAZYJS_REGEXP
    .globl vm_lazyjs_regexp_end
vm_lazyjs_regexp_end:
    .section .note.GNU-stack,"",@progbits
