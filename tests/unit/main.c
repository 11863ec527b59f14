/* tests/unit/main.c — runs every Check suite; exit status 0 only if all pass. */
#include <stdlib.h>

#include "../../isolate/vm.h"
#include "unit.h"

void unit_v8_setup(void)
{
    ck_assert_int_eq(vm_platform_init(NULL, 1), 0);
}

int main(void)
{
    SRunner *sr = srunner_create(vm_suite());
    srunner_add_suite(sr, runtime_suite());
    srunner_add_suite(sr, cli_suite());
    srunner_add_suite(sr, broker_suite());
    srunner_add_suite(sr, path_suite());
    srunner_add_suite(sr, seccomp_suite());
    srunner_add_suite(sr, harden_suite());
    srunner_add_suite(sr, overlay_suite());
    srunner_add_suite(sr, quota_suite());
    srunner_add_suite(sr, report_suite());
    srunner_add_suite(sr, parity_suite());
    srunner_add_suite(sr, http_suite());
    srunner_add_suite(sr, netrules_suite());
    srunner_add_suite(sr, netd_udp_suite());
    srunner_add_suite(sr, netd_suite());
    srunner_add_suite(sr, netd_dns_suite());
    srunner_add_suite(sr, serve_suite());
    srunner_add_suite(sr, audit_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
