/* isolate/v8/lazyjs_data.S — the lazily compiled JS bundles (see lazyjs.cc),
 * embedded as they are. SE_LAZYJS_FETCH, SE_LAZYJS_REGEXP and SE_LAZYJS_TR46
 * are set by the Makefile. */
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
    .balign 64
    .globl vm_lazyjs_tr46
vm_lazyjs_tr46:
    .incbin SE_LAZYJS_TR46
    .globl vm_lazyjs_tr46_end
vm_lazyjs_tr46_end:
    .section .note.GNU-stack,"",@progbits
