/* isolate/v8/lazyjs_data.S — the lazily compiled JS bundle (see lazyjs.cc),
 * embedded as it is. SE_LAZYJS_FETCH is set by the Makefile. */
    .section .rodata
    .balign 64
    .globl vm_lazyjs_fetch
vm_lazyjs_fetch:
    .incbin SE_LAZYJS_FETCH
    .globl vm_lazyjs_fetch_end
vm_lazyjs_fetch_end:
    .section .note.GNU-stack,"",@progbits
